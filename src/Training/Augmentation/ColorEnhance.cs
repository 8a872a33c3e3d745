using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// torchvision's <c>adjust_brightness</c>, <c>adjust_contrast</c> and <c>adjust_saturation</c> on a PIL image, in place:
/// Pillow's <c>ImageEnhance</c>, i.e. <c>Image.blend(degenerate, img, factor)</c> against a black image, the image's
/// rounded mean grey, or its own grey.
/// </summary>
public static class ColorEnhance
{
    public static void AdjustBrightness(RgbImage image, double factor)
    {
        ArgumentNullException.ThrowIfNull(image);
        ApplyTable(image.Pixels, BlendTable(0, factor));
    }

    public static void AdjustContrast(RgbImage image, double factor)
    {
        ArgumentNullException.ThrowIfNull(image);
        ApplyTable(image.Pixels, BlendTable(MeanLuma(image), factor));
    }

    public static void AdjustSaturation(RgbImage image, double factor)
    {
        ArgumentNullException.ThrowIfNull(image);
        var blendFactor = (float)factor;
        var pixels = image.Pixels.AsSpan();
        for (var i = 0; i < pixels.Length; i += 3)
        {
            var grey = PillowLuma.Of(pixels[i], pixels[i + 1], pixels[i + 2]);
            pixels[i] = Blend(grey, blendFactor, pixels[i]);
            pixels[i + 1] = Blend(grey, blendFactor, pixels[i + 1]);
            pixels[i + 2] = Blend(grey, blendFactor, pixels[i + 2]);
        }
    }

    /// <summary>Pillow's contrast degenerate: <c>int(mean(L) + 0.5)</c>, one grey level for the whole image.</summary>
    public static int MeanLuma(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        ReadOnlySpan<byte> pixels = image.Pixels;
        long sum = 0;
        for (var i = 0; i < pixels.Length; i += 3)
            sum += PillowLuma.Of(pixels[i], pixels[i + 1], pixels[i + 2]);
        return (int)((double)sum / (image.Width * image.Height) + 0.5);
    }

    private static byte[] BlendTable(int degenerate, double factor)
    {
        var blendFactor = (float)factor;
        var table = new byte[256];
        for (var v = 0; v < table.Length; v++)
            table[v] = Blend(degenerate, blendFactor, (byte)v);
        return table;
    }

    private static void ApplyTable(Span<byte> pixels, byte[] table)
    {
        for (var i = 0; i < pixels.Length; i++)
            pixels[i] = table[pixels[i]];
    }

    // Pillow's ImagingBlend: the factor is a C float, the sum is float32 and the result is truncated, not rounded.
    private static byte Blend(int degenerate, float factor, byte value)
    {
        var blended = degenerate + factor * (value - degenerate);
        return blended <= 0f ? (byte)0 : blended >= 255f ? (byte)255 : (byte)blended;
    }
}
