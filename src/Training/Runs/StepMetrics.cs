namespace EmbeddingService.Training.Runs;

/// <summary>
/// One iteration as metrics.jsonl records it: every loss term under its official name, the scheduled values, each student
/// module's gradient norm before clipping, throughput and the collapse indicators.
/// </summary>
public sealed record StepMetrics
{
    /// <summary>The 0-based global iteration (official <c>iteration</c>).</summary>
    public required long Iteration { get; init; }
    public required long TotalIterations { get; init; }
    public required string Stage { get; init; }
    public required IReadOnlyDictionary<string, double> Losses { get; init; }
    public required double TotalLoss { get; init; }
    public required double Lr { get; init; }
    public required double LastLayerLr { get; init; }
    public required double Wd { get; init; }
    public required double Momentum { get; init; }
    public required double TeacherTemp { get; init; }
    public required IReadOnlyDictionary<string, double> GradNorms { get; init; }
    public required IReadOnlyDictionary<string, double> Indicators { get; init; }
    public required double ImagesPerSecond { get; init; }
    public required double StepSeconds { get; init; }
    /// <summary>Seconds since this process started the run (a resumed run counts from its resumption).</summary>
    public required double ElapsedSeconds { get; init; }
}
