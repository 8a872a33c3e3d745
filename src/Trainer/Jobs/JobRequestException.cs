namespace EmbeddingService.Trainer.Jobs;

/// <summary>A job request refused for a reason the caller can act on (never a bug of the worker).</summary>
public sealed class JobRequestException(JobError error, string message) : Exception(message)
{
    public JobError Error { get; } = error;
}
