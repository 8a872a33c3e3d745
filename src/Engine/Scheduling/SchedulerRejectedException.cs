namespace EmbeddingService.Engine.Scheduling;

/// <summary>The scheduler refused or dropped an image; <see cref="Reason"/> maps to 413, 429, 503 or 504.</summary>
public sealed class SchedulerRejectedException(SchedulerRejection reason, string message) : Exception(message)
{
    public SchedulerRejection Reason { get; } = reason;
}
