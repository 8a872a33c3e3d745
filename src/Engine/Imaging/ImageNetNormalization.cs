namespace EmbeddingService.Engine.Imaging;

/// <summary>torchvision <c>ToTensor</c> + <c>Normalize</c> with the ImageNet mean and std, computed in float32.</summary>
public static class ImageNetNormalization
{
    public static ReadOnlySpan<float> Mean => [0.485f, 0.456f, 0.406f];

    public static ReadOnlySpan<float> Std => [0.229f, 0.224f, 0.225f];

    // Every 8-bit value maps to one float per channel, so a table gives torch's float32 results exactly.
    private static readonly float[][] Levels = [LevelsOf(0), LevelsOf(1), LevelsOf(2)];

    public static PreprocessedImage ToChw(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return ToChw(PixelRows.Of(image));
    }

    /// <summary>The same values written into <paramref name="chw"/> (3·H·W floats), e.g. a row of a batch tensor.</summary>
    public static void WriteChw(RgbImage image, Span<float> chw)
    {
        ArgumentNullException.ThrowIfNull(image);
        WriteChw(PixelRows.Of(image), chw);
    }

    internal static PreprocessedImage ToChw(PixelRows image)
    {
        var chw = GC.AllocateUninitializedArray<float>(3 * image.Width * image.Height);
        WriteChw(image, chw);
        return new PreprocessedImage(image.Height, image.Width, chw);
    }

    internal static void WriteChw(PixelRows image, Span<float> chw)
    {
        var planeSize = image.Width * image.Height;
        if (chw.Length != 3 * planeSize)
            throw new ArgumentException($"a 3x{image.Height}x{image.Width} tensor needs {3 * planeSize} values, the destination holds {chw.Length}", nameof(chw));
        ReadOnlySpan<float> red = Levels[0], green = Levels[1], blue = Levels[2];
        var redPlane = chw[..planeSize];
        var greenPlane = chw.Slice(planeSize, planeSize);
        var bluePlane = chw[(2 * planeSize)..];
        var step = image.PixelBytes;
        for (var y = 0; y < image.Height; y++)
        {
            ReadOnlySpan<byte> row = image.Row(y);
            var start = y * image.Width;
            for (var x = 0; x < image.Width; x++)
            {
                var pixel = row.Slice(x * step, 3);
                redPlane[start + x] = red[pixel[0]];
                greenPlane[start + x] = green[pixel[1]];
                bluePlane[start + x] = blue[pixel[2]];
            }
        }
    }

    private static float[] LevelsOf(int channel)
    {
        var levels = new float[256];
        for (var v = 0; v < levels.Length; v++)
            levels[v] = (v / 255f - Mean[channel]) / Std[channel];
        return levels;
    }
}
