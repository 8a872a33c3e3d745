namespace EmbeddingService.Engine.Checkpoints;

/// <summary>
/// Settings a checkpoint's tensors cannot tell. Each one left null is taken from a Hugging Face config.json when
/// there is one, else from an <see cref="ArchitectureSidecar"/> beside a single-file checkpoint, else from the
/// official convention.
/// </summary>
public sealed record CheckpointLoadOptions
{
    public static CheckpointLoadOptions Default { get; } = new();

    /// <summary>Needed for widths that are not an official model's (384, 768, 1024, 1536).</summary>
    public int? NumHeads { get; init; }

    /// <summary>Official: 0 for models with registers, else 0.1.</summary>
    public double? InterpolateOffset { get; init; }

    /// <summary>Official: true for models with registers, else false.</summary>
    public bool? InterpolateAntialias { get; init; }

    /// <summary>Official: 1e-6.</summary>
    public double? LayerNormEps { get; init; }
}
