namespace EmbeddingService.Api.Embedding;

/// <summary>Why one input got no embedding: a stable problem code and a specific message.</summary>
public sealed record EmbedFailure(string Code, string Message);
