using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// dinov2's <c>DataAugmentationDINO</c>: two global crops (the second with solarize) and N local crops, each a random
/// resized crop, flip, ColorJitter, grayscale and blur, normalised. Immutable: calls on several threads are safe as
/// long as each brings its own <see cref="IAugmentationRandom"/>.
/// </summary>
public sealed class DataAugmentationDino
{
    public DataAugmentationDino(DinoAugmentationOptions? options = null)
    {
        Options = options ?? new DinoAugmentationOptions();
        Options.Validate();
    }

    public DinoAugmentationOptions Options { get; }

    /// <summary>The draws of one call, without rendering: global 1, global 2, then the local crops.</summary>
    public IReadOnlyList<CropDraws> Draw(int width, int height, IAugmentationRandom random)
    {
        var draws = new CropDraws[2 + Options.LocalCropsNumber];
        draws[0] = CropSampler.Draw(CropKind.Global1, width, height, Options, random);
        draws[1] = CropSampler.Draw(CropKind.Global2, width, height, Options, random);
        for (var i = 2; i < draws.Length; i++)
            draws[i] = CropSampler.Draw(CropKind.Local, width, height, Options, random);
        return draws;
    }

    public DinoCrops Apply(RgbImage image, IAugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(image);
        var draws = Draw(image.Width, image.Height, random);
        var crops = draws.Select(d => NormalizedTensor.Of(CropRenderer.Render(image, d))).ToArray();
        return new DinoCrops(crops[..2], crops[2..], draws);
    }
}
