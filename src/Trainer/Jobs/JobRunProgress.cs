using EmbeddingService.Training.Runs;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// A job's run reporting to the worker: every step, checkpoint, evaluation and warning goes to the job's watchers and
/// the metrics; the step count is persisted at every checkpoint and at most every <see cref="PersistInterval"/>
/// between them (a tiny run makes hundreds of steps per second; one SQLite commit each would be the bottleneck).
/// </summary>
public sealed class JobRunProgress(string jobId, JobStore store, JobEventHub events, JobMetrics metrics, TimeProvider time, ILogger logger) : IRunProgress
{
    public static readonly TimeSpan PersistInterval = TimeSpan.FromSeconds(1);

    private long _start;
    private long _total;
    private long _persistedAt;

    public void Started(long startIteration, long totalIterations, string? resumedFrom)
    {
        (_start, _total) = (startIteration, totalIterations);
        if (resumedFrom is null) logger.LogInformation("job {JobId} starts: {Total} steps", jobId, totalIterations);
        else logger.LogInformation("job {JobId} resumes at step {Step} of {Total} from {Checkpoint}", jobId, startIteration, totalIterations, resumedFrom);
        Persist(startIteration, totalIterations);
        events.Publish(JobEvents.Progress(jobId, time.GetUtcNow(),
            new V1.JobProgress { Step = startIteration, TotalSteps = totalIterations, ResumedFrom = resumedFrom ?? "" }));
    }

    public void Step(StepMetrics step)
    {
        var done = step.Iteration + 1;
        var stepsPerSecond = (done - _start) / Math.Max(step.ElapsedSeconds, 1e-9);
        var progress = new V1.JobProgress
        {
            Step = done,
            TotalSteps = step.TotalIterations,
            Stage = step.Stage,
            TotalLoss = step.TotalLoss,
            Lr = step.Lr,
            ImagesPerSecond = step.ImagesPerSecond,
            EtaSeconds = (step.TotalIterations - done) / Math.Max(stepsPerSecond, 1e-9),
        };
        foreach (var (name, value) in step.Losses) progress.Losses[name] = value;
        metrics.Step(jobId, step, stepsPerSecond);
        events.Publish(JobEvents.Progress(jobId, time.GetUtcNow(), progress));
        if (time.GetElapsedTime(_persistedAt) >= PersistInterval) Persist(done, step.TotalIterations);
    }

    public void Checkpoint(long iteration, string path)
    {
        Persist(iteration, _total);
        events.Publish(JobEvents.Checkpoint(jobId, time.GetUtcNow(), iteration, path));
    }

    public void Evaluation(long iteration, IReadOnlyDictionary<string, double> results) =>
        events.Publish(JobEvents.Evaluation(jobId, time.GetUtcNow(), iteration, results));

    public void Warning(long iteration, string message) =>
        events.Publish(JobEvents.Warning(jobId, time.GetUtcNow(), iteration, message));

    public void Finished(RunResult result) => Persist(result.CompletedIterations, result.TotalIterations);

    private void Persist(long step, long total)
    {
        store.RecordProgress(jobId, step, total);
        _persistedAt = time.GetTimestamp();
    }
}
