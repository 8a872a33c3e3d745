namespace EmbeddingService.Retrieval;

/// <summary>A store call that failed for a reason the caller can act on; <see cref="Index"/> names the offending item of a batch.</summary>
public sealed class RetrievalException(RetrievalError error, string message, int? index = null, Exception? inner = null)
    : Exception(message, inner)
{
    public RetrievalError Error { get; } = error;

    public int? Index { get; } = index;

    /// <summary>When the same call may succeed if repeated (a collection still loading): how long to wait first.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
