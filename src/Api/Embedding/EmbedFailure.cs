namespace EmbeddingService.Api.Embedding;

/// <summary>Why a call got no embeddings: a stable problem code, a specific message and, when one input was the cause, its index.</summary>
public sealed record EmbedFailure(string Code, string Message, int? Index = null);
