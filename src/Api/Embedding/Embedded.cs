using EmbeddingService.Engine.Inference;

namespace EmbeddingService.Api.Embedding;

/// <summary>One input's embedding, with the caller's index and id for it and where its time went.</summary>
public sealed record Embedded(int Index, string? Id, ImageEmbedding Embedding, TimeSpan DecodeTime, TimeSpan QueueTime, TimeSpan InferenceTime);
