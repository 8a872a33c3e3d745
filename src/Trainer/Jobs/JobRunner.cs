using EmbeddingService.Trainer.Models;
using EmbeddingService.Training.Data;
using EmbeddingService.Training.Runs;
using EmbeddingService.Training.Runs.Spec;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// Runs one job in its folder, reporting through <see cref="JobRunProgress"/>: a training run's spec as
/// <see cref="TrainingRun.Execute"/> (resuming from the newest checkpoint there, as after a pause or a crash; a
/// completed run's export becomes a registered model), or an eval-knn spec as <see cref="KnnEvalRun.Execute"/> (its
/// results become the evaluated model's). Every ending is a <see cref="JobOutcome"/>; a failure of the run becomes a
/// reason a person can act on, never an escaped exception.
/// </summary>
public sealed class JobRunner(JobStore store, JobEventHub events, JobLog log, JobMetrics metrics, ModelRegistry models, TimeProvider time, ILogger<JobRunner> logger)
{
    /// <summary>Blocks for the whole run (call it on a thread of its own); stops at the next step boundary once <paramref name="stop"/> is cancelled.</summary>
    public JobOutcome Run(JobRecord job, CancellationToken stop)
    {
        try
        {
            var progress = new JobRunProgress(job, store, events, log, metrics, time, logger);
            return job.Kind == JobKind.EvalKnn ? EvalKnn(job, progress, stop) : Train(job, progress, stop);
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
        catch (JobRequestException e) when (e.Error == JobError.ModelNotFound)
        {
            return JobOutcome.Failed("model_not_found", $"model_not_found: {e.Message}");
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

    private JobOutcome Train(JobRecord job, JobRunProgress progress, CancellationToken stop)
    {
        var spec = RunSpecFile.Parse(job.Spec);
        var context = new RunContext
        {
            OutputDirectory = job.OutputDirectory,
            Batches = RunInputs.BatchesFor(spec),
            Evaluation = RunInputs.EvaluationFor(spec),
            Progress = progress,
        };
        var result = TrainingRun.Execute(spec, context, stop);
        if (result is { Status: RunStatus.Completed, Export: { } export })
        {
            var model = models.Register(job, export, result.Evaluation);
            log.Information(job, $"model {model.Id} registered: {model.Fingerprint} ({model.Architecture})");
        }
        return JobOutcome.From(result);
    }

    private JobOutcome EvalKnn(JobRecord job, JobRunProgress progress, CancellationToken stop)
    {
        var spec = KnnEvalSpecFile.Parse(job.Spec);
        var weights = spec.Weights ?? models.Get(spec.Model!).FilePath(ModelRecord.Files[0]);
        var result = KnnEvalRun.Execute(spec, weights, job.OutputDirectory, progress, stop);
        if (spec.Model is { } id)
        {
            models.UpdateKnn(id, result.Results);
            log.Information(job, $"model {id}: kNN results updated");
        }
        store.RecordProgress(job.Id, 1, 1);
        return new JobOutcome(RunStatus.Completed, "completed", $"k-NN evaluation of {result.Fingerprint} completed", 1, 1);
    }
}
