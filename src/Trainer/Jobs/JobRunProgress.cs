using EmbeddingService.Training.Runs;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// A job's run reporting to the worker: every step, checkpoint, evaluation and warning goes to the job's watchers and
/// the metrics; the step count is persisted at every checkpoint and at most every <see cref="PersistInterval"/>
/// between them (a tiny run makes hundreds of steps per second; one SQLite commit each would be the bottleneck). Starts,
/// checkpoints, evaluations and warnings also go to the job's log (steps do not: they are in metrics.jsonl).
/// </summary>
public sealed class JobRunProgress(JobRecord job, JobStore store, JobEventHub events, JobLog log, JobMetrics metrics, TimeProvider time, ILogger logger)
    : IRunProgress
{

    public static readonly TimeSpan PersistInterval = TimeSpan.FromSeconds(1);

    private long _start;
    private long _total;
    private long _persistedAt;

    public void Started(long startIteration, long totalIterations, string? resumedFrom)
    {
        (_start, _total) = (startIteration, totalIterations);
        if (resumedFrom is null)
        {
            logger.LogInformation("job {JobId} starts: {Total} steps", job.Id, totalIterations);
            log.Information(job, $"starts: {totalIterations} steps");
        }
        else
        {
            logger.LogInformation("job {JobId} resumes at step {Step} of {Total} from {Checkpoint}", job.Id, startIteration, totalIterations, resumedFrom);
            log.Information(job, $"resumes at step {startIteration} of {totalIterations} from {resumedFrom}");
        }
        Persist(startIteration, totalIterations);
        events.Publish(JobEvents.Progress(job.Id, time.GetUtcNow(),
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
        metrics.Step(job.Id, step, stepsPerSecond);
        events.Publish(JobEvents.Progress(job.Id, time.GetUtcNow(), progress));
        if (time.GetElapsedTime(_persistedAt) >= PersistInterval) Persist(done, step.TotalIterations);
    }

    public void Checkpoint(long iteration, string path)
    {
        Persist(iteration, _total);
        events.Publish(JobEvents.Checkpoint(job.Id, time.GetUtcNow(), iteration, path));
        log.Information(job, $"checkpoint at step {iteration}: {path}");
    }

    public void Evaluation(long iteration, IReadOnlyDictionary<string, double> results)
    {
        events.Publish(JobEvents.Evaluation(job.Id, time.GetUtcNow(), iteration, results));
        var listed = string.Join(", ", results.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => FormattableString.Invariant($"{r.Key} = {r.Value:0.####}")));
        log.Information(job, $"evaluation at step {iteration}: {listed}");
    }

    public void Warning(long iteration, string message)
    {
        events.Publish(JobEvents.Warning(job.Id, time.GetUtcNow(), iteration, message));
        log.Warning(job, $"step {iteration}: {message}");
    }

    public void Finished(RunResult result) => Persist(result.CompletedIterations, result.TotalIterations);

    private void Persist(long step, long total)
    {
        store.RecordProgress(job.Id, step, total);
        _persistedAt = time.GetTimestamp();
    }
}
