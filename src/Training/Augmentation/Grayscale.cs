using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Training.Augmentation;

/// <summary>torchvision <c>rgb_to_grayscale(img, 3)</c> on a PIL image: Pillow's L copied to R, G and B, in place.</summary>
public static class Grayscale
{
    public static void Apply(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var pixels = image.Pixels.AsSpan();
        for (var i = 0; i < pixels.Length; i += 3)
            pixels[i] = pixels[i + 1] = pixels[i + 2] = PillowLuma.Of(pixels[i], pixels[i + 1], pixels[i + 2]);
    }
}
