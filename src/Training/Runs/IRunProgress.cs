namespace EmbeddingService.Training.Runs;

/// <summary>What a run tells its caller while it runs (the CLI's progress bar, the jobs worker's status); called on the run's thread.</summary>
public interface IRunProgress
{
    /// <summary>Before the first step: the iteration it starts from (0, or a checkpoint's) and the run's total.</summary>
    void Started(long startIteration, long totalIterations, string? resumedFrom);

    void Step(StepMetrics metrics);

    void Checkpoint(long iteration, string path);

    void Evaluation(long iteration, IReadOnlyDictionary<string, double> results);

    /// <summary>A collapse indicator crossed its threshold, or anything else worth a researcher's look.</summary>
    void Warning(long iteration, string message);

    void Finished(RunResult result);
}
