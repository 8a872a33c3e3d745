namespace EmbeddingService.Training.Augmentation;

/// <summary>Draws one crop's parameters in the official pipeline's order: box, flip, jitter, grayscale, blur, solarize.</summary>
public static class CropSampler
{
    public static CropDraws Draw(CropKind kind, int width, int height, DinoAugmentationOptions options, IAugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        var (size, scale, blurProbability, solarizeProbability) = kind switch
        {
            CropKind.Global1 => (options.GlobalCropsSize, options.GlobalCropsScale, options.Global1BlurProbability, 0.0),
            CropKind.Global2 => (options.GlobalCropsSize, options.GlobalCropsScale, options.Global2BlurProbability, options.Global2SolarizeProbability),
            CropKind.Local => (options.LocalCropsSize, options.LocalCropsScale, options.LocalBlurProbability, 0.0),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown crop kind"),
        };
        var box = RandomResizedCropParams.Draw(width, height, scale, random);
        var flip = Happens(options.FlipProbability, random);
        var jitter = Happens(options.ColorJitterProbability, random) ? ColorJitter.Draw(options.ColorJitter, random) : null;
        var grayscale = Happens(options.GrayscaleProbability, random);
        double? sigma = Happens(blurProbability, random) ? random.Uniform(options.BlurSigma.Low, options.BlurSigma.High) : null;
        // Only global crop 2 has a RandomSolarize, so only it draws for one.
        var solarize = kind == CropKind.Global2 && Happens(solarizeProbability, random);
        return new CropDraws(kind, box, size, flip, jitter, grayscale, sigma, solarize);
    }

    private static bool Happens(double probability, IAugmentationRandom random) => random.Uniform(0, 1) < probability;
}
