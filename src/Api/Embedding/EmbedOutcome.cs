using EmbeddingService.Engine.Scheduling;

namespace EmbeddingService.Api.Embedding;

/// <summary>The pipeline's result for one input: an embedding with its timings, or a failure.</summary>
internal sealed record EmbedOutcome(int Index, string? Id, ScheduledEmbedding? Result, EmbedFailure? Failure, TimeSpan DecodeTime);
