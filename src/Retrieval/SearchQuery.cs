namespace EmbeddingService.Retrieval;

/// <summary>One nearest-neighbour query: the vector (normalised by the store), how many hits, and optional filters.</summary>
/// <param name="ScoreThreshold">Hits scoring below this cosine similarity are left out.</param>
public sealed record SearchQuery(ReadOnlyMemory<float> Vector, int K = 10, PayloadFilter? Filter = null, float? ScoreThreshold = null);
