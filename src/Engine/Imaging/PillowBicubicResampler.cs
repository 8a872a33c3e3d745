using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// Pillow's <c>Image.resize(size, BICUBIC)</c> for RGB, bit for bit: fixed-point antialiased bicubic,
/// horizontal pass into 8 bits first, then vertical; an axis whose size does not change is not resampled.
/// </summary>
public static class PillowBicubicResampler
{
    private const int Rounding = 1 << (BicubicAxisCoefficients.PrecisionBits - 1);
    /// <summary>The horizontal pass works on 4-byte pixels: one pixel is one vector of four 32-bit sums.</summary>
    private const int BandPixelBytes = 4;

    public static RgbImage Resize(RgbImage source, int width, int height) => ResizeAndCrop(source, ResizePlan.WithoutCrop(width, height));

    /// <summary>
    /// Computes only the crop window of the resized picture. Every output pixel depends on the input alone,
    /// so this equals resizing the whole picture and cropping, without the work outside the window.
    /// </summary>
    public static RgbImage ResizeAndCrop(RgbImage source, ResizePlan plan)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var resized = ResizeAndCrop(PixelRows.Of(source), plan, clock: null);
        return resized.Rows.ToRgbImage();
    }

    /// <summary>The crop window of the resized <paramref name="source"/>, in 3- or 4-byte pixels (4 whenever the width is resampled).</summary>
    internal static RentedPixels ResizeAndCrop(PixelRows source, ResizePlan plan, StageClock? clock)
    {
        var horizontal = plan.ResizedWidth == source.Width
            ? null
            : BicubicAxisCoefficients.Compute(source.Width, plan.ResizedWidth, plan.CropLeft, plan.CropWidth);
        var vertical = plan.ResizedHeight == source.Height
            ? null
            : BicubicAxisCoefficients.Compute(source.Height, plan.ResizedHeight, plan.CropTop, plan.CropHeight);

        // The vertical pass reads only these rows of the horizontally resampled picture.
        var firstRow = vertical?.FirstInput[0] ?? plan.CropTop;
        var rowCount = vertical is null ? plan.CropHeight : vertical.FirstInput[^1] + vertical.InputCount[^1] - firstRow;

        RentedPixels? band = null;
        try
        {
            PixelRows rows;
            if (horizontal is null)
            {
                rows = source.Window(plan.CropLeft, firstRow, plan.CropWidth, rowCount);
            }
            else
            {
                band = new RentedPixels(plan.CropWidth, rowCount, BandPixelBytes);
                ResampleRows(source, firstRow, horizontal, band.Rows);
                rows = band.Rows;
            }
            clock?.Lap(PreprocessStage.ResizeHorizontal);

            RentedPixels output;
            if (vertical is null && band is not null)
            {
                (output, band) = (band, null);
            }
            else
            {
                output = new RentedPixels(plan.CropWidth, plan.CropHeight, rows.PixelBytes);
                if (vertical is null)
                    rows.CopyTo(output.Rows);
                else
                    ResampleColumns(rows, firstRow, vertical, output.Rows);
            }
            clock?.Lap(PreprocessStage.ResizeVertical);
            return output;
        }
        finally
        {
            band?.Dispose();
        }
    }

    private static void ResampleRows(PixelRows source, int firstRow, BicubicAxisCoefficients coefficients, PixelRows band)
    {
        // 3-byte pixels are widened a row at a time, so the pass always reads a pixel as one 32-bit load.
        using var widened = source.PixelBytes == BandPixelBytes ? null : new RentedPixels(source.Width, 1, BandPixelBytes);
        for (var r = 0; r < band.Height; r++)
        {
            ReadOnlySpan<byte> input = source.Row(firstRow + r);
            if (widened is not null)
            {
                WidenRgb(input, widened.Bytes);
                input = widened.Bytes;
            }
            ResampleRow(input, band.Row(r), coefficients);
        }
    }

    /// <summary>One row of 4-byte pixels: each output pixel's taps summed as four 32-bit lanes, Pillow's integer sums per channel.</summary>
    private static void ResampleRow(ReadOnlySpan<byte> input, Span<byte> output, BicubicAxisCoefficients coefficients)
    {
        var (firstInput, inputCount, kernelSize) = (coefficients.FirstInput, coefficients.InputCount, coefficients.KernelSize);
        // The unchecked reads below stay inside these bounds: the coefficients never reach past the input's last pixel.
        if (output.Length != inputCount.Length * BandPixelBytes || input.Length < (firstInput[^1] + inputCount[^1]) * BandPixelBytes)
            throw new ArgumentException("the row does not match the coefficients");
        ref var inputStart = ref MemoryMarshal.GetReference(input);
        ref var outputStart = ref MemoryMarshal.GetReference(output);
        ref var weightsStart = ref MemoryMarshal.GetArrayDataReference(coefficients.Weights);
        for (var x = 0; x < inputCount.Length; x++)
        {
            ref var taps = ref Unsafe.Add(ref inputStart, firstInput[x] * BandPixelBytes);
            ref var weights = ref Unsafe.Add(ref weightsStart, x * kernelSize);
            var sums = Vector128.Create(Rounding);
            for (var k = 0; k < inputCount[x]; k++)
                sums += Widen(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref taps, k * BandPixelBytes))) * Vector128.Create(Unsafe.Add(ref weights, k));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref outputStart, x * BandPixelBytes), ToBytes(sums));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Widen(uint pixel) =>
        Vector128.WidenLower(Vector128.WidenLower(Vector128.CreateScalarUnsafe(pixel).AsByte())).AsInt32();

    /// <summary>Four fixed-point sums to four bytes, as Pillow's <c>clip8</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ToBytes(Vector128<int> sums)
    {
        var clamped = Vector128.Min(Vector128.Max(Vector128.ShiftRightArithmetic(sums, BicubicAxisCoefficients.PrecisionBits), Vector128<int>.Zero), Vector128.Create(255));
        var lowBytes = Vector128.Create((byte)0, 4, 8, 12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
        return Vector128.Shuffle(clamped.AsByte(), lowBytes).AsUInt32().ToScalar();
    }

    private static void WidenRgb(ReadOnlySpan<byte> rgb, Span<byte> rgbx)
    {
        for (var x = 0; x < rgb.Length / 3; x++)
        {
            rgbx[x * 4] = rgb[x * 3];
            rgbx[x * 4 + 1] = rgb[x * 3 + 1];
            rgbx[x * 4 + 2] = rgb[x * 3 + 2];
        }
    }

    /// <summary>
    /// The vertical pass. Each output row sums its input rows tap by tap, a vector of bytes at a time with its
    /// sums in registers; addition order does not change integer sums, so these are Pillow's.
    /// </summary>
    private static void ResampleColumns(PixelRows rows, int rowsFirstInput, BicubicAxisCoefficients coefficients, PixelRows output)
    {
        var rowBytes = output.RowBytes;
        if (rows.RowBytes != rowBytes || coefficients.FirstInput[0] < rowsFirstInput
            || coefficients.FirstInput[^1] + coefficients.InputCount[^1] - rowsFirstInput > rows.Height)
            throw new ArgumentException("the rows do not match the coefficients");
        for (var y = 0; y < output.Height; y++)
        {
            var weights = coefficients.WeightsOf(y);
            ref var firstTap = ref rows.Pixels[rows.RowStart(coefficients.FirstInput[y] - rowsFirstInput)];
            var row = output.Row(y);
            if (rowBytes < Vector<byte>.Count)
            {
                ResampleColumnsScalar(ref firstTap, rows.Stride, weights, row);
                continue;
            }
            for (var i = 0; i < rowBytes - Vector<byte>.Count; i += Vector<byte>.Count)
                ResampleColumnVector(ref Unsafe.Add(ref firstTap, i), rows.Stride, weights, row[i..]);
            // The last vector ends at the row's end, overlapping the one before: it recomputes the same bytes.
            ResampleColumnVector(ref Unsafe.Add(ref firstTap, rowBytes - Vector<byte>.Count), rows.Stride, weights, row[^Vector<byte>.Count..]);
        }
    }

    private static void ResampleColumnVector(ref byte firstTap, int stride, ReadOnlySpan<int> weights, Span<byte> output)
    {
        var rounding = new Vector<int>(Rounding);
        var (s0, s1, s2, s3) = (rounding, rounding, rounding, rounding);
        for (var k = 0; k < weights.Length; k++)
        {
            var weight = new Vector<int>(weights[k]);
            Vector.Widen(Vector.LoadUnsafe(ref Unsafe.Add(ref firstTap, k * stride)), out var low, out var high);
            Vector.Widen(low, out var p0, out var p1);
            Vector.Widen(high, out var p2, out var p3);
            s0 += Vector.AsVectorInt32(p0) * weight;
            s1 += Vector.AsVectorInt32(p1) * weight;
            s2 += Vector.AsVectorInt32(p2) * weight;
            s3 += Vector.AsVectorInt32(p3) * weight;
        }
        var bytes = Vector.Narrow(Vector.Narrow(Clip(s0), Clip(s1)), Vector.Narrow(Clip(s2), Clip(s3)));
        bytes.CopyTo(output);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<uint> Clip(Vector<int> sums) =>
        Vector.AsVectorUInt32(Vector.Min(Vector.Max(Vector.ShiftRightArithmetic(sums, BicubicAxisCoefficients.PrecisionBits), Vector<int>.Zero), new Vector<int>(255)));

    private static void ResampleColumnsScalar(ref byte firstTap, int stride, ReadOnlySpan<int> weights, Span<byte> output)
    {
        for (var i = 0; i < output.Length; i++)
        {
            var sum = Rounding;
            for (var k = 0; k < weights.Length; k++)
                sum += Unsafe.Add(ref firstTap, k * stride + i) * weights[k];
            output[i] = (byte)Math.Clamp(sum >> BicubicAxisCoefficients.PrecisionBits, 0, 255);
        }
    }
}
