using EmbeddingService.Training.Runs;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// How a job's run ended: a <see cref="RunResult"/>'s status, or a failure that stopped it (no status). <see cref="End"/>
/// turns it into the job's next state, given what the job was asked to do. <see cref="StartsOver"/>: the run keeps no
/// checkpoint (eval-knn), so a paused or interrupted one runs again from its start.
/// </summary>
public sealed record JobOutcome(RunStatus? Status, string Reason, string Message, long Step, long TotalSteps, bool StartsOver = false)
{
    public static JobOutcome From(RunResult result) =>
        new(result.Status, result.Reason, result.Message, result.CompletedIterations, result.TotalIterations);

    public static JobOutcome Failed(string reason, string message) => new(null, reason, message, 0, 0);

    public (JobState State, string Reason, string Message) End(StopRequest request) => Status switch
    {
        RunStatus.Completed => (JobState.Succeeded, Reason, Message),
        // Stopped at a step boundary, checkpointed and exported: resumable, so paused rather than ended.
        RunStatus.TimeBudget => (JobState.Paused, Reason, Message),
        RunStatus.Cancelled => request switch
        {
            StopRequest.Pause when StartsOver => (JobState.Paused, "paused", "paused by request; resume runs it again from its start"),
            StopRequest.Pause => (JobState.Paused, "paused",
                $"paused by request after step {Step} of {TotalSteps} (checkpointed); resume continues from there"),
            StopRequest.Cancel => (JobState.Cancelled, "cancelled", $"cancelled by request after step {Step} of {TotalSteps}"),
            _ when StartsOver => (JobState.Queued, "worker_stopped",
                "interrupted (worker_stopped): the worker shut down during the run; it runs again from its start when the worker runs again"),
            _ => (JobState.Queued, "worker_stopped",
                $"interrupted (worker_stopped): the worker shut down after step {Step} of {TotalSteps} (checkpointed); the job continues from there when the worker runs again"),
        },
        _ => (JobState.Failed, Reason, Message),
    };
}
