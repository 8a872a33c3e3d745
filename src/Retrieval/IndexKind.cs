namespace EmbeddingService.Retrieval;

/// <summary>How a collection answers searches.</summary>
public enum IndexKind
{
    /// <summary>
    /// Exact below <see cref="CollectionSettings.AutoApproximateThreshold"/> points, approximate (HNSW) at or above
    /// (the graph is built when the collection first reaches the threshold); filtered queries always scan exactly.
    /// </summary>
    Auto,
    /// <summary>Always a full scan: exact top-k.</summary>
    Exact,
    /// <summary>Always the HNSW graph (approximate; filtered queries still scan exactly).</summary>
    Hnsw,
}
