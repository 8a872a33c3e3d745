using EmbeddingService.Training.Runs;

namespace EmbeddingService.Training.Tests.Runs;

/// <summary>Records what a run reports; can cancel the run when a checkpoint of a given iteration is written.</summary>
internal sealed class RecordingProgress(CancellationTokenSource? cancelAt = null, long cancelAtCheckpoint = -1) : IRunProgress
{
    public List<string> Events { get; } = [];
    public List<StepMetrics> Steps { get; } = [];
    public List<string> Warnings { get; } = [];

    public void Started(long startIteration, long totalIterations, string? resumedFrom) => Events.Add($"started {startIteration}/{totalIterations}");

    public void Step(StepMetrics metrics)
    {
        Steps.Add(metrics);
        Events.Add($"step {metrics.Iteration}");
    }

    public void Checkpoint(long iteration, string path)
    {
        Events.Add($"checkpoint {iteration}");
        if (iteration == cancelAtCheckpoint) cancelAt?.Cancel();
    }

    public void Evaluation(long iteration, IReadOnlyDictionary<string, double> results) => Events.Add($"evaluation {iteration}");

    public void Warning(long iteration, string message) => Warnings.Add(message);

    public void Finished(RunResult result) => Events.Add($"finished {result.Reason}");
}
