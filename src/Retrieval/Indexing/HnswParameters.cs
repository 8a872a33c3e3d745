namespace EmbeddingService.Retrieval.Indexing;

/// <summary>
/// HNSW graph shape. Measured with `embedctl bench-search` (384 dims, k = 10, 2 threads): the defaults give
/// recall@10 = 1.0 at p99 2.6 ms on 1M clustered vectors (build 613 s, 2.7 KB per vector in the graph). Uniformly
/// random unit vectors have no neighbourhood structure and need a far larger search expansion (20k of them:
/// ef 160 → recall 0.73, ef 500 → 0.96 at p99 6.4 ms, ef 1500 → 0.998 at 10.9 ms), where an exact scan (≈ 3 ms) is faster.
/// </summary>
/// <param name="Connectivity">Neighbours per node (M); more is better recall, more memory and slower build.</param>
/// <param name="ExpansionAdd">Candidates considered while inserting (efConstruction).</param>
/// <param name="ExpansionSearch">Candidates considered while searching (ef); at least k is always used.</param>
/// <param name="BuildThreads">Threads that insert in parallel when a graph is built from many points at once.</param>
public sealed record HnswParameters(int Connectivity = 32, int ExpansionAdd = 128, int ExpansionSearch = 160, int BuildThreads = 0)
{
    public int EffectiveBuildThreads => BuildThreads > 0 ? BuildThreads : Environment.ProcessorCount;
}
