using EmbeddingService.Training.Runs.Spec;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>One row of the job store.</summary>
public sealed record JobRecord
{
    public required string Id { get; init; }
    public required JobKind Kind { get; init; }
    /// <summary>The completed run spec (canonical JSON, every default filled in).</summary>
    public required string Spec { get; init; }
    public required string SpecHash { get; init; }
    public required int Priority { get; init; }
    public string? IdempotencyKey { get; init; }
    public required JobState State { get; init; }
    public required string Reason { get; init; }
    public required string Message { get; init; }
    public StopRequest StopRequest { get; init; }
    public required string OutputDirectory { get; init; }
    /// <summary>Iterations done, as last persisted (after a restart: the checkpoint the job resumes from).</summary>
    public long Step { get; init; }
    public long TotalSteps { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
