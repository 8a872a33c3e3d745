namespace EmbeddingService.Training.Runs.Spec;

/// <summary>masking: iBOT block masking of the global crops (official ibot.mask_sample_probability, mask_ratio_min_max).</summary>
public sealed record MaskingSpec
{
    public double SampleProbability { get; init; } = 0.5;
    public double RatioMin { get; init; } = 0.1;
    public double RatioMax { get; init; } = 0.5;
}
