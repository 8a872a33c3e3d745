using EmbeddingService.Trainer.Jobs;

namespace EmbeddingService.Trainer.Models;

/// <summary>A registered model: the export of a succeeded pretrain or distill job (its id is the job's).</summary>
public sealed record ModelRecord
{
    /// <summary>What a replica needs to load the model, in the export folder: the backbone and its architecture sidecar.</summary>
    public static readonly IReadOnlyList<string> Files = ["backbone.safetensors", "config.json"];

    public required string Id { get; init; }
    public required JobKind SourceKind { get; init; }
    public required string Fingerprint { get; init; }
    /// <summary>The sidecar's "architecture" (e.g. vits14, or custom).</summary>
    public required string Architecture { get; init; }
    public required string ConfigJson { get; init; }
    /// <summary>The job's export/ folder, holding <see cref="Files"/>.</summary>
    public required string Folder { get; init; }
    public required long SizeBytes { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>The latest kNN results: the run's last evaluation, or a later eval-knn job's.</summary>
    public required IReadOnlyDictionary<string, double> Knn { get; init; }

    public string FilePath(string file) => Path.Combine(Folder, file);
}

/// <summary>The active model (null: none; replicas serve their configured weights) at an activation generation.</summary>
public sealed record ActiveModelRecord(ModelRecord? Model, long Generation, DateTimeOffset? ActivatedAt);
