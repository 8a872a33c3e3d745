using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Training.Augmentation;

/// <summary>Renders a crop from its draws, in 8 bits: resized crop, flip, then jitter, grayscale, blur and solarize.</summary>
public static class CropRenderer
{
    /// <summary>The crop up to the image torchvision passes to ToTensor.</summary>
    public static RgbImage Render(RgbImage source, CropDraws draws)
    {
        var crop = Geometric(source, draws);
        Photometric(crop, draws);
        return crop;
    }

    /// <summary><c>geometric_augmentation_*</c>: the resized crop, mirrored if drawn. A new image.</summary>
    public static RgbImage Geometric(RgbImage source, CropDraws draws)
    {
        ArgumentNullException.ThrowIfNull(draws);
        var crop = ResizedCrop.Apply(source, draws.Box, draws.Size);
        if (draws.Flip)
            HorizontalFlip.Apply(crop);
        return crop;
    }

    /// <summary>The colour and extra transforms of <c>global_transfo1/2</c> and <c>local_transfo</c>, before ToTensor, in place.</summary>
    public static void Photometric(RgbImage crop, CropDraws draws)
    {
        ArgumentNullException.ThrowIfNull(draws);
        if (draws.Jitter is { } jitter)
            ColorJitter.Apply(crop, jitter);
        if (draws.Grayscale)
            Grayscale.Apply(crop);
        if (draws.BlurSigma is { } sigma)
            GaussianBlur.Apply(crop, sigma);
        if (draws.Solarize)
            Solarize.Apply(crop);
    }
}
