namespace EmbeddingService.Training.Runs;

/// <summary>Everything a run takes besides its spec: where it writes, its data, its evaluation and who watches it.</summary>
public sealed record RunContext
{
    /// <summary>Holds everything of the run: spec.json, checkpoints/, metrics.jsonl, export/, summary.json.</summary>
    public required string OutputDirectory { get; init; }
    public required IRunBatchSource Batches { get; init; }
    public ResumeMode Resume { get; init; } = ResumeMode.Auto;
    /// <summary>Run every evaluation.every_steps iterations and at the end; null: no evaluation.</summary>
    public IRunEvaluation? Evaluation { get; init; }
    public IRunProgress? Progress { get; init; }
}
