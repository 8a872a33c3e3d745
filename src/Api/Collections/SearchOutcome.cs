using EmbeddingService.Retrieval;

namespace EmbeddingService.Api.Collections;

/// <summary>The hits of each query, in order, and where the time went.</summary>
public sealed record SearchOutcome(IReadOnlyList<IReadOnlyList<SearchHit>> Results, int Images, double EmbedMs, double SearchMs);
