namespace EmbeddingService.Engine.Scheduling;

/// <summary>The scheduler refused or dropped an image; <see cref="Reason"/> maps to 413, 429, 503 or 504.</summary>
public sealed class SchedulerRejectedException(SchedulerRejection reason, string message, int? index = null) : Exception(message)
{
    public SchedulerRejection Reason { get; } = reason;

    /// <summary>The image of the request that was refused, when one image (not the whole request) is the reason.</summary>
    public int? Index { get; } = index;
}
