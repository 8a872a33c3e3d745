using EmbeddingService.Engine.Imaging;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Augmentation;

/// <summary>Converts between <see cref="RgbImage"/> and the fixtures' uint8 [H, W, 3] arrays (<c>np.asarray(pil_image)</c>).</summary>
public static class RgbImageTensors
{
    public static RgbImage FromHwc(Tensor hwc)
    {
        ArgumentNullException.ThrowIfNull(hwc);
        if (hwc.dtype != ScalarType.Byte || hwc.ndim != 3 || hwc.shape[2] != 3)
            throw new ArgumentException($"expected a uint8 [H, W, 3] tensor, got {hwc.dtype} [{string.Join(", ", hwc.shape)}]", nameof(hwc));
        using var contiguous = hwc.cpu().contiguous();
        return new RgbImage((int)hwc.shape[1], (int)hwc.shape[0], contiguous.bytes.ToArray());
    }

    public static Tensor ToHwc(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return tensor(image.Pixels, [image.Height, image.Width, 3]);
    }
}
