namespace EmbeddingService.Trainer.Jobs;

/// <summary>Where a job is: queued → running ⇄ paused → succeeded | failed | cancelled (the last three are terminal).</summary>
public enum JobState
{
    Queued,
    Running,
    Paused,
    Succeeded,
    Failed,
    Cancelled,
}
