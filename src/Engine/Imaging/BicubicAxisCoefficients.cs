namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// Pillow's fixed-point antialiased bicubic weights for one axis (Resample.c: precompute_coeffs +
/// normalize_coeffs_8bpc), for output indices <c>firstOutput .. firstOutput + count - 1</c>.
/// </summary>
internal sealed class BicubicAxisCoefficients
{
    public const int PrecisionBits = 32 - 8 - 2;
    private const double FilterSupport = 2.0;

    private BicubicAxisCoefficients(int kernelSize, int[] firstInput, int[] inputCount, int[] weights)
    {
        KernelSize = kernelSize;
        FirstInput = firstInput;
        InputCount = inputCount;
        Weights = weights;
    }

    /// <summary>Row length of <see cref="Weights"/>: the most taps any output can use.</summary>
    public int KernelSize { get; }

    public int[] FirstInput { get; }

    public int[] InputCount { get; }

    /// <summary>Weights of output i are <c>Weights[i * KernelSize ..][..InputCount[i]]</c>, scaled by 2^PrecisionBits.</summary>
    public int[] Weights { get; }

    public ReadOnlySpan<int> WeightsOf(int output) => Weights.AsSpan(output * KernelSize, InputCount[output]);

    public static BicubicAxisCoefficients Compute(int inSize, int outSize, int firstOutput, int count)
    {
        var scale = (double)(float)inSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = FilterSupport * filterScale;
        var kernelSize = (int)Math.Ceiling(support) * 2 + 1;
        // Pillow multiplies by the reciprocal rather than dividing; the results differ in the last bit.
        var inverseFilterScale = 1.0 / filterScale;

        var firstInput = new int[count];
        var inputCount = new int[count];
        var weights = new int[count * kernelSize];
        Span<double> taps = stackalloc double[kernelSize];
        for (var i = 0; i < count; i++)
        {
            var center = (firstOutput + i + 0.5) * scale;
            var min = Math.Max((int)(center - support + 0.5), 0);
            var max = Math.Min((int)(center + support + 0.5), inSize) - min;
            var sum = 0.0;
            for (var x = 0; x < max; x++)
            {
                taps[x] = Keys((x + min - center + 0.5) * inverseFilterScale);
                sum += taps[x];
            }
            var row = weights.AsSpan(i * kernelSize, max);
            for (var x = 0; x < max; x++)
            {
                var normalised = sum != 0.0 ? taps[x] / sum : taps[x];
                row[x] = (int)(normalised < 0 ? -0.5 + normalised * (1 << PrecisionBits) : 0.5 + normalised * (1 << PrecisionBits));
            }
            firstInput[i] = min;
            inputCount[i] = max;
        }
        return new BicubicAxisCoefficients(kernelSize, firstInput, inputCount, weights);
    }

    /// <summary>Keys' cubic convolution kernel with a = -0.5, written exactly as Pillow evaluates it.</summary>
    private static double Keys(double x)
    {
        const double a = -0.5;
        if (x < 0.0)
            x = -x;
        if (x < 1.0)
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0)
            return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }
}
