namespace EmbeddingService.Api.Embedding;

/// <summary>One encoded image of a request and the caller's id for it.</summary>
public sealed record EmbedInput(ReadOnlyMemory<byte> Data, string? Id);
