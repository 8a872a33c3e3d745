namespace EmbeddingService.Engine.Scheduling;

/// <summary>Why the scheduler did not compute an image.</summary>
public enum SchedulerRejection
{
    /// <summary>The queue was full when the image was submitted.</summary>
    Overloaded,
    /// <summary>The scheduler no longer accepts work (shutting down).</summary>
    ShuttingDown,
    /// <summary>The deadline passed before the image's batch ran.</summary>
    DeadlineExceeded,
}
