namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// DataAugmentationDINO's settings. Defaults are the ViT-L/g train configs' (local crops 98 px; the class default
/// says 96) and the blur probabilities the official code actually applies.
/// </summary>
public sealed record DinoAugmentationOptions
{
    public (double Low, double High) GlobalCropsScale { get; init; } = (0.32, 1.0);

    public (double Low, double High) LocalCropsScale { get; init; } = (0.05, 0.32);

    public int LocalCropsNumber { get; init; } = 8;

    public int GlobalCropsSize { get; init; } = 224;

    public int LocalCropsSize { get; init; } = 98;

    public double FlipProbability { get; init; } = 0.5;

    public double ColorJitterProbability { get; init; } = 0.8;

    public ColorJitterStrength ColorJitter { get; init; } = new();

    public double GrayscaleProbability { get; init; } = 0.2;

    // dinov2's GaussianBlur(p) hands 1 - p to torchvision's RandomApply, whose p is the chance of applying: the
    // configured 1.0 / 0.1 / 0.5 blur global crop 1 never, global crop 2 90 % of the time and local crops half the
    // time (dinov2 PR #411). That is what trained the released models, so it is the default.
    public double Global1BlurProbability { get; init; }

    public double Global2BlurProbability { get; init; } = 0.9;

    public double LocalBlurProbability { get; init; } = 0.5;

    public (double Low, double High) BlurSigma { get; init; } = (0.1, 2.0);

    public double Global2SolarizeProbability { get; init; } = 0.2;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        CheckScale(GlobalCropsScale, nameof(GlobalCropsScale));
        CheckScale(LocalCropsScale, nameof(LocalCropsScale));
        if (LocalCropsNumber < 0) throw Invalid(nameof(LocalCropsNumber), LocalCropsNumber, "must be zero or more");
        if (GlobalCropsSize <= 0) throw Invalid(nameof(GlobalCropsSize), GlobalCropsSize, "must be positive");
        if (LocalCropsSize <= 0) throw Invalid(nameof(LocalCropsSize), LocalCropsSize, "must be positive");
        CheckProbability(FlipProbability, nameof(FlipProbability));
        CheckProbability(ColorJitterProbability, nameof(ColorJitterProbability));
        CheckProbability(GrayscaleProbability, nameof(GrayscaleProbability));
        CheckProbability(Global1BlurProbability, nameof(Global1BlurProbability));
        CheckProbability(Global2BlurProbability, nameof(Global2BlurProbability));
        CheckProbability(LocalBlurProbability, nameof(LocalBlurProbability));
        CheckProbability(Global2SolarizeProbability, nameof(Global2SolarizeProbability));
        if (ColorJitter is null) throw Invalid(nameof(ColorJitter), null, "must be set");
        if (ColorJitter.Brightness is < 0 or > 1 || ColorJitter.Contrast is < 0 or > 1 || ColorJitter.Saturation is < 0 or > 1)
            throw Invalid(nameof(ColorJitter), ColorJitter, "brightness, contrast and saturation must be in [0, 1]");
        if (ColorJitter.Hue is < 0 or > 0.5) throw Invalid(nameof(ColorJitter), ColorJitter, "hue must be in [0, 0.5]");
        if (!(BlurSigma.Low > 0 && BlurSigma.Low <= BlurSigma.High))
            throw Invalid(nameof(BlurSigma), BlurSigma, "must satisfy 0 < low <= high");
    }

    private static void CheckScale((double Low, double High) scale, string name)
    {
        if (!(scale.Low > 0 && scale.Low <= scale.High))
            throw Invalid(name, scale, "must satisfy 0 < low <= high");
    }

    private static void CheckProbability(double p, string name)
    {
        if (p is not (>= 0 and <= 1)) throw Invalid(name, p, "must be a probability in [0, 1]");
    }

    private static ArgumentException Invalid(string name, object? value, string rule) =>
        new($"DinoAugmentationOptions.{name} {rule}, got {value}", name);
}
