namespace EmbeddingService.Retrieval.Indexing;

/// <summary>
/// HNSW graph shape. Defaults reach recall@10 ≥ 0.95 on a million random 384-dim unit vectors (the hardest case:
/// no cluster structure to exploit); see the retrieval benchmark for the measured trade-off.
/// </summary>
/// <param name="Connectivity">Neighbours per node (M); more is better recall, more memory and slower build.</param>
/// <param name="ExpansionAdd">Candidates considered while inserting (efConstruction).</param>
/// <param name="ExpansionSearch">Candidates considered while searching (ef); at least k is always used.</param>
/// <param name="BuildThreads">Threads that insert in parallel when a graph is built from many points at once.</param>
public sealed record HnswParameters(int Connectivity = 32, int ExpansionAdd = 128, int ExpansionSearch = 160, int BuildThreads = 0)
{
    public int EffectiveBuildThreads => BuildThreads > 0 ? BuildThreads : Environment.ProcessorCount;
}
