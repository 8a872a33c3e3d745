using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Training.Augmentation;

/// <summary>Pillow's <c>ImageOps.solarize</c>: every value at or above the threshold is inverted, in place.</summary>
public static class Solarize
{
    public const int OfficialThreshold = 128;

    public static void Apply(RgbImage image, int threshold = OfficialThreshold)
    {
        ArgumentNullException.ThrowIfNull(image);
        var pixels = image.Pixels.AsSpan();
        for (var i = 0; i < pixels.Length; i++)
            if (pixels[i] >= threshold)
                pixels[i] = (byte)(255 - pixels[i]);
    }
}
