namespace EmbeddingService.Retrieval.Indexing;

/// <summary>
/// HNSW graph shape. Measured with `embedctl bench-search` (100k × 384 dims): the defaults give recall@10 = 1.0 on
/// clustered vectors but only ≈ 0.34 on uniformly random unit vectors, which have no neighbourhood structure; such
/// data needs a far larger search expansion, or the exact index.
/// </summary>
/// <param name="Connectivity">Neighbours per node (M); more is better recall, more memory and slower build.</param>
/// <param name="ExpansionAdd">Candidates considered while inserting (efConstruction).</param>
/// <param name="ExpansionSearch">Candidates considered while searching (ef); at least k is always used.</param>
/// <param name="BuildThreads">Threads that insert in parallel when a graph is built from many points at once.</param>
public sealed record HnswParameters(int Connectivity = 32, int ExpansionAdd = 128, int ExpansionSearch = 160, int BuildThreads = 0)
{
    public int EffectiveBuildThreads => BuildThreads > 0 ? BuildThreads : Environment.ProcessorCount;
}
