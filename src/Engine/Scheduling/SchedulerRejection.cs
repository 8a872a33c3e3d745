namespace EmbeddingService.Engine.Scheduling;

/// <summary>Why the scheduler did not compute an image.</summary>
public enum SchedulerRejection
{
    /// <summary>The queue was full when the image was submitted.</summary>
    Overloaded,
    /// <summary>The scheduler no longer accepts work (shutting down, or its executor failed).</summary>
    ShuttingDown,
    /// <summary>The deadline passed before the image's batch ran.</summary>
    DeadlineExceeded,
    /// <summary>One image has more tokens than <see cref="SchedulerOptions.MaxImageTokens"/>.</summary>
    ImageTooLarge,
    /// <summary>The request's images together exceed a per-request limit (tokens, decoded pixels, or the queue's capacity).</summary>
    RequestTooLarge,
}
