using EmbeddingService.Training.Data;
using EmbeddingService.Training.Runs;
using EmbeddingService.Training.Runs.Spec;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// Runs one job: its spec as <see cref="TrainingRun.Execute"/> in the job's folder (resuming from the newest checkpoint
/// there, as after a pause or a crash), reporting through <see cref="JobRunProgress"/>. Every ending is an
/// <see cref="JobOutcome"/>; a failure of the run becomes a reason a person can act on, never an escaped exception.
/// </summary>
public sealed class JobRunner(JobStore store, JobEventHub events, JobMetrics metrics, TimeProvider time, ILogger<JobRunner> logger)
{
    /// <summary>Blocks for the whole run (call it on a thread of its own); stops at the next step boundary once <paramref name="stop"/> is cancelled.</summary>
    public JobOutcome Run(JobRecord job, CancellationToken stop)
    {
        try
        {
            var spec = RunSpecFile.Parse(job.Spec);
            var context = new RunContext
            {
                OutputDirectory = job.OutputDirectory,
                Batches = RunInputs.BatchesFor(spec),
                Evaluation = RunInputs.EvaluationFor(spec),
                Progress = new JobRunProgress(job.Id, store, events, metrics, time, logger),
            };
            return JobOutcome.From(TrainingRun.Execute(spec, context, stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Cancelled inside an evaluation rather than at a step boundary: the last checkpoint stands.
            var current = store.Find(job.Id);
            return new JobOutcome(RunStatus.Cancelled, "cancelled", "stopped during an evaluation", current?.Step ?? 0, current?.TotalSteps ?? 0);
        }
        catch (RunSpecException e)
        {
            return JobOutcome.Failed("invalid_spec", $"the run refused its spec: {string.Join("; ", e.Problems)}");
        }
        catch (DatasetException e)
        {
            return JobOutcome.Failed(e.Reason, $"{e.Reason}: {e.Message}");
        }
        catch (Exception e) when (e is OutOfMemoryException || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
        {
            logger.LogError(e, "job {JobId} ran out of memory", job.Id);
            return JobOutcome.Failed("out_of_memory",
                $"out_of_memory: {e.Message}; lower batch_size, crops or the model size, then submit again (the checkpoints in {job.OutputDirectory} stay)");
        }
        catch (Exception e)
        {
            logger.LogError(e, "job {JobId} failed", job.Id);
            return JobOutcome.Failed("run_error", $"run_error: {e.GetType().Name}: {e.Message} (the worker log has the stack trace)");
        }
        finally
        {
            metrics.Ended(job.Id);
        }
    }
}
