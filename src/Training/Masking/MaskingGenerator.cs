namespace EmbeddingService.Training.Masking;

/// <summary>
/// iBOT block masking (dinov2/data/masking.py): rectangles of random area and aspect ratio are placed on an
/// H×W patch grid, possibly overlapping, until the requested number of patches is masked or a rectangle
/// cannot be placed in 10 tries; it never masks more than requested, but may mask fewer (even none).
/// </summary>
public sealed class MaskingGenerator
{
    private const int AttemptsPerRectangle = 10;

    private readonly Random _random;
    private readonly double _minLogAspect;
    private readonly double _maxLogAspect;

    /// <param name="random">The draws' source; a seeded instance makes the masks reproducible.</param>
    /// <param name="maxNumPatches">Largest area of one rectangle.</param>
    /// <param name="maxAspect">Defaults to 1 / <paramref name="minAspect"/>.</param>
    public MaskingGenerator(int height, int width, double maxNumPatches, Random random,
        int minNumPatches = 4, double minAspect = 0.3, double? maxAspect = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minAspect);
        Height = height;
        Width = width;
        MaxNumPatches = maxNumPatches;
        MinNumPatches = minNumPatches;
        _random = random;
        _minLogAspect = Math.Log(minAspect);
        _maxLogAspect = Math.Log(maxAspect ?? 1 / minAspect);
    }

    public int Height { get; }

    public int Width { get; }

    public int NumPatches => Height * Width;

    public int MinNumPatches { get; }

    public double MaxNumPatches { get; }

    /// <summary>
    /// The generator train.py builds for global crops of <paramref name="imgSize"/> pixels. Its
    /// max_num_patches is the official expression <c>0.5 * img // p * img // p</c>, evaluated left to right
    /// with floor divisions: 0.5·n_tokens when the grid side is even (128 at 224/14), less when it is odd
    /// (666 instead of 684.5 at 518/14).
    /// </summary>
    public static MaskingGenerator ForGlobalCrops(int imgSize, int patchSize, Random random)
    {
        var grid = imgSize / patchSize;
        var maxNumPatches = Math.Floor(Math.Floor(0.5 * imgSize / patchSize) * imgSize / patchSize);
        return new MaskingGenerator(grid, grid, maxNumPatches, random);
    }

    /// <summary>A [Height, Width] mask with at most <paramref name="numMaskingPatches"/> patches set.</summary>
    public bool[,] Generate(int numMaskingPatches = 0)
    {
        var mask = new bool[Height, Width];
        var maskCount = 0;
        while (maskCount < numMaskingPatches)
        {
            var maxMaskPatches = Math.Min(numMaskingPatches - maskCount, MaxNumPatches);
            var delta = AddRectangle(mask, maxMaskPatches);
            if (delta == 0) break;
            maskCount += delta;
        }
        return mask;
    }

    /// <summary>Tries to mask one more rectangle that adds between 1 and <paramref name="maxMaskPatches"/> patches; returns how many it added.</summary>
    private int AddRectangle(bool[,] mask, double maxMaskPatches)
    {
        var delta = 0;
        for (var attempt = 0; attempt < AttemptsPerRectangle && delta == 0; attempt++)
        {
            var targetArea = Uniform(MinNumPatches, maxMaskPatches);
            var aspectRatio = Math.Exp(Uniform(_minLogAspect, _maxLogAspect));
            // Math.Round rounds half to even, as Python's round does.
            var h = (int)Math.Round(Math.Sqrt(targetArea * aspectRatio));
            var w = (int)Math.Round(Math.Sqrt(targetArea / aspectRatio));
            if (w >= Width || h >= Height) continue;

            var top = _random.Next(0, Height - h + 1);
            var left = _random.Next(0, Width - w + 1);
            var newlyMasked = h * w - CountMasked(mask, top, left, h, w);
            if (newlyMasked <= 0 || newlyMasked > maxMaskPatches) continue;

            for (var i = top; i < top + h; i++)
                for (var j = left; j < left + w; j++)
                    mask[i, j] = true;
            delta = newlyMasked;
        }
        return delta;
    }

    private static int CountMasked(bool[,] mask, int top, int left, int h, int w)
    {
        var count = 0;
        for (var i = top; i < top + h; i++)
            for (var j = left; j < left + w; j++)
                if (mask[i, j]) count++;
        return count;
    }

    private double Uniform(double low, double high) => low + (high - low) * _random.NextDouble();
}
