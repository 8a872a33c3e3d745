using EmbeddingService.Training.Runs.Spec;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>A validated submission, ready for the store: the completed spec, its hash and the hash of the whole body (for idempotency).</summary>
public sealed record NewJob
{
    public required JobKind Kind { get; init; }
    public required string Spec { get; init; }
    public required string SpecHash { get; init; }
    public required int Priority { get; init; }
    public string? IdempotencyKey { get; init; }
    /// <summary>SHA-256 of kind, priority and completed spec: the same key with another body is refused.</summary>
    public required string BodyHash { get; init; }
}
