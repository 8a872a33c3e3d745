using EmbeddingService.Engine.Imaging;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Augmentation;

/// <summary>torchvision <c>ToTensor</c> + <c>Normalize</c>(ImageNet mean, std) as a float32 [3, H, W] tensor.</summary>
public static class NormalizedTensor
{
    public static Tensor Of(RgbImage image)
    {
        var chw = ImageNetNormalization.ToChw(image);
        return tensor(chw.Chw, [3, chw.Height, chw.Width]);
    }
}
