using System.Numerics;

namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// Pillow's <c>Image.resize(size, BICUBIC)</c> for RGB, bit for bit: fixed-point antialiased bicubic,
/// horizontal pass into 8 bits first, then vertical; an axis whose size does not change is not resampled.
/// </summary>
public static class PillowBicubicResampler
{
    private const int Channels = 3;
    private const int Rounding = 1 << (BicubicAxisCoefficients.PrecisionBits - 1);

    public static RgbImage Resize(RgbImage source, int width, int height) => ResizeAndCrop(source, ResizePlan.WithoutCrop(width, height));

    /// <summary>
    /// Computes only the crop window of the resized picture. Every output pixel depends on the input alone,
    /// so this equals resizing the whole picture and cropping, without the work outside the window.
    /// </summary>
    public static RgbImage ResizeAndCrop(RgbImage source, ResizePlan plan) => ResizeAndCrop(source, plan, clock: null);

    internal static RgbImage ResizeAndCrop(RgbImage source, ResizePlan plan, StageClock? clock)
    {
        ArgumentNullException.ThrowIfNull(source);
        var horizontal = plan.ResizedWidth == source.Width
            ? null
            : BicubicAxisCoefficients.Compute(source.Width, plan.ResizedWidth, plan.CropLeft, plan.CropWidth);
        var vertical = plan.ResizedHeight == source.Height
            ? null
            : BicubicAxisCoefficients.Compute(source.Height, plan.ResizedHeight, plan.CropTop, plan.CropHeight);

        var firstRow = vertical?.FirstInput[0] ?? plan.CropTop;
        var rowCount = vertical is null ? plan.CropHeight : vertical.FirstInput[^1] + vertical.InputCount[^1] - firstRow;
        var rowBytes = plan.CropWidth * Channels;

        byte[] band;
        int bandStart, bandStride;
        if (horizontal is null)
        {
            (band, bandStart, bandStride) = (source.Pixels, firstRow * source.Stride + plan.CropLeft * Channels, source.Stride);
        }
        else
        {
            (band, bandStart, bandStride) = (new byte[rowCount * rowBytes], 0, rowBytes);
            ResampleRows(source, firstRow, rowCount, horizontal, band);
        }
        clock?.Lap(PreprocessStage.ResizeHorizontal);

        var output = vertical is not null ? ResampleColumns(band, bandStart, bandStride, firstRow, rowBytes, vertical)
            : horizontal is not null ? band
            : CopyWindow(band, bandStart, bandStride, rowBytes, rowCount);
        clock?.Lap(PreprocessStage.ResizeVertical);
        return new RgbImage(plan.CropWidth, plan.CropHeight, output);
    }

    private static void ResampleRows(RgbImage source, int firstRow, int rowCount, BicubicAxisCoefficients coefficients, byte[] output)
    {
        var outputWidth = coefficients.InputCount.Length;
        for (var r = 0; r < rowCount; r++)
        {
            ReadOnlySpan<byte> input = source.Pixels.AsSpan((firstRow + r) * source.Stride, source.Stride);
            var row = output.AsSpan(r * outputWidth * Channels, outputWidth * Channels);
            for (var x = 0; x < outputWidth; x++)
            {
                var weights = coefficients.WeightsOf(x);
                var taps = input.Slice(coefficients.FirstInput[x] * Channels, weights.Length * Channels);
                int red = Rounding, green = Rounding, blue = Rounding;
                for (var k = 0; k < weights.Length; k++)
                {
                    var weight = weights[k];
                    red += taps[k * Channels] * weight;
                    green += taps[k * Channels + 1] * weight;
                    blue += taps[k * Channels + 2] * weight;
                }
                row[x * Channels] = ToByte(red);
                row[x * Channels + 1] = ToByte(green);
                row[x * Channels + 2] = ToByte(blue);
            }
        }
    }

    private static byte[] ResampleColumns(byte[] band, int bandStart, int bandStride, int bandFirstRow, int rowBytes, BicubicAxisCoefficients coefficients)
    {
        var outputHeight = coefficients.InputCount.Length;
        var output = new byte[outputHeight * rowBytes];
        var sums = new int[rowBytes];
        for (var y = 0; y < outputHeight; y++)
        {
            // Summing tap by tap over whole rows gives Pillow's integer sums (addition order does not matter) at cache-friendly cost.
            sums.AsSpan().Fill(Rounding);
            var weights = coefficients.WeightsOf(y);
            var firstTap = bandStart + (coefficients.FirstInput[y] - bandFirstRow) * bandStride;
            for (var k = 0; k < weights.Length; k++)
                Accumulate(band.AsSpan(firstTap + k * bandStride, rowBytes), weights[k], sums);
            var row = output.AsSpan(y * rowBytes, rowBytes);
            for (var i = 0; i < rowBytes; i++)
                row[i] = ToByte(sums[i]);
        }
        return output;
    }

    private static void Accumulate(ReadOnlySpan<byte> input, int weight, Span<int> sums)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var weights = new Vector<int>(weight);
            for (; i <= sums.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                Vector.Widen(new Vector<byte>(input[i..]), out var low, out var high);
                Vector.Widen(low, out var first, out var second);
                Vector.Widen(high, out var third, out var fourth);
                AddProduct(first, weights, sums[i..]);
                AddProduct(second, weights, sums[(i + Vector<int>.Count)..]);
                AddProduct(third, weights, sums[(i + 2 * Vector<int>.Count)..]);
                AddProduct(fourth, weights, sums[(i + 3 * Vector<int>.Count)..]);
            }
        }
        for (; i < sums.Length; i++)
            sums[i] += input[i] * weight;
    }

    private static void AddProduct(Vector<uint> values, Vector<int> weights, Span<int> sums) =>
        (new Vector<int>(sums) + Vector.AsVectorInt32(values) * weights).CopyTo(sums);

    private static byte[] CopyWindow(byte[] pixels, int start, int stride, int rowBytes, int rowCount)
    {
        var output = new byte[rowCount * rowBytes];
        for (var r = 0; r < rowCount; r++)
            pixels.AsSpan(start + r * stride, rowBytes).CopyTo(output.AsSpan(r * rowBytes));
        return output;
    }

    private static byte ToByte(int fixedPoint) => (byte)Math.Clamp(fixedPoint >> BicubicAxisCoefficients.PrecisionBits, 0, 255);
}
