using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// torchvision <c>adjust_hue</c> on a PIL image, in place: Pillow HSV, <c>H += uint8(factor·255)</c> (the product
/// truncated toward zero, wrapping), back to RGB. Even a zero shift changes pixels through the lossy HSV round trip.
/// </summary>
public static class HueAdjustment
{
    public static void Apply(RgbImage image, double hueFactor)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (hueFactor is < -0.5 or > 0.5)
            throw new ArgumentOutOfRangeException(nameof(hueFactor), hueFactor, "the hue factor must be in [-0.5, 0.5]");
        var shift = ShiftOf(hueFactor);
        var pixels = image.Pixels.AsSpan();
        for (var i = 0; i < pixels.Length; i += 3)
        {
            var (hue, saturation, value) = PillowHsv.FromRgb(pixels[i], pixels[i + 1], pixels[i + 2]);
            (pixels[i], pixels[i + 1], pixels[i + 2]) = PillowHsv.ToRgb((byte)(hue + shift), saturation, value);
        }
    }

    /// <summary>What is added to Pillow's 8-bit hue: -0.1 gives 231 (= -25), +0.1 gives 25.</summary>
    public static byte ShiftOf(double hueFactor) => (byte)(int)(hueFactor * 255);
}
