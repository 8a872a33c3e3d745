namespace EmbeddingService.Training.Runs;

/// <summary>The end of a run: how it ended, how far it got, and where its outputs are (null when not written).</summary>
public sealed record RunResult
{
    public required RunStatus Status { get; init; }
    /// <summary>"completed", "time_budget", "cancelled" or "non_finite_loss" (summary.json's reason).</summary>
    public required string Reason { get; init; }
    public required string Message { get; init; }
    public required long CompletedIterations { get; init; }
    public required long TotalIterations { get; init; }
    public string? LastCheckpoint { get; init; }
    public RunExportPaths? Export { get; init; }
    public required string SummaryPath { get; init; }
    public IReadOnlyDictionary<string, double> FinalLosses { get; init; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, double> Evaluation { get; init; } = new Dictionary<string, double>();
}
