using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Training.Augmentation;

/// <summary>torchvision <c>resized_crop(img, i, j, h, w, [size, size], BICUBIC)</c> on a PIL image: crop the box, then Pillow's bicubic resize.</summary>
public static class ResizedCrop
{
    public static RgbImage Apply(RgbImage source, CropBox box, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var window = Crop(source, box);
        // Pillow returns the crop itself when no axis changes; the resampler would copy it once more.
        return window.Width == size && window.Height == size ? window : PillowBicubicResampler.Resize(window, size, size);
    }

    /// <summary>The pixels of the box: <c>decoded[i:i+h, j:j+w]</c>.</summary>
    public static RgbImage Crop(RgbImage source, CropBox box)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (box.Top < 0 || box.Left < 0 || box.Height <= 0 || box.Width <= 0
            || box.Top + box.Height > source.Height || box.Left + box.Width > source.Width)
            throw new ArgumentOutOfRangeException(nameof(box), box, $"the box must lie inside the {source.Width}x{source.Height} image");
        var rowBytes = box.Width * 3;
        var pixels = GC.AllocateUninitializedArray<byte>(box.Height * rowBytes);
        for (var r = 0; r < box.Height; r++)
            source.Pixels.AsSpan((box.Top + r) * source.Stride + box.Left * 3, rowBytes).CopyTo(pixels.AsSpan(r * rowBytes));
        return new RgbImage(box.Width, box.Height, pixels);
    }
}
