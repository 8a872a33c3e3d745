namespace EmbeddingService.Training.Runs.Spec;

/// <summary>
/// data: the training images. <see cref="Train"/> is a folder of images (class sub-folders allowed; labels are only
/// used by evaluation), or "synthetic": seeded random crops, for smoke tests and benchmarks of the loop.
/// </summary>
public sealed record DataSpec
{
    public const string Synthetic = "synthetic";

    public string? Train { get; init; }
}
