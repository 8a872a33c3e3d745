using EmbeddingService.Engine.Inference;

namespace EmbeddingService.Engine.Scheduling;

/// <summary>An embedding with the time its image waited for a batch and the time the batch took.</summary>
public sealed record ScheduledEmbedding(ImageEmbedding Embedding, TimeSpan QueueTime, TimeSpan InferenceTime, int BatchImages, int BatchTokens);
