namespace EmbeddingService.Training.Runs.Spec;

/// <summary>checkpoints: how often the full training state is written (and at the end), and how many are kept.</summary>
public sealed record CheckpointSpec
{
    public int EverySteps { get; init; } = 500;
    public int KeepLast { get; init; } = 3;
}
