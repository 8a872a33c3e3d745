namespace EmbeddingService.Training.Runs.Spec;

/// <summary>crops: the multi-crop views (official crops.*; local crops 98 px, the nearest multiple of patch 14 to 96).</summary>
public sealed record CropsSpec
{
    public int GlobalSize { get; init; } = 224;
    public int LocalSize { get; init; } = 98;
    public int LocalCropsNumber { get; init; } = 8;
    public double[] GlobalCropsScale { get; init; } = [0.32, 1.0];
    public double[] LocalCropsScale { get; init; } = [0.05, 0.32];
}
