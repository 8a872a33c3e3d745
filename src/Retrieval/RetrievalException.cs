namespace EmbeddingService.Retrieval;

/// <summary>A store call that failed for a reason the caller can act on; <see cref="Index"/> names the offending item of a batch.</summary>
public sealed class RetrievalException(RetrievalError error, string message, int? index = null, Exception? inner = null)
    : Exception(message, inner)
{
    public RetrievalError Error { get; } = error;

    public int? Index { get; } = index;
}
