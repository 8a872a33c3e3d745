using EmbeddingService.Api.Embedding;
using EmbeddingService.Retrieval;

namespace EmbeddingService.Api.Collections;

/// <summary>One search: by an encoded image, a vector, or the id of a stored point (exactly one of them).</summary>
public sealed record QueryInput(EmbedInput? Image, float[]? Vector, string? PointId, int K, PayloadFilter? Filter, float? ScoreThreshold);
