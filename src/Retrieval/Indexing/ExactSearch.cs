namespace EmbeddingService.Retrieval.Indexing;

/// <summary>Exact top-k by dot product: every stored row is scored against every query.</summary>
internal static class ExactSearch
{
    /// <summary>Rows scored per query before moving on: small enough to stay in L2 while every query of a batch reads them.</summary>
    private const int BlockBytes = 192 * 1024;

    /// <summary>The best rows per query, best first; ties by id through <paramref name="idOf"/>.</summary>
    public static ScoredSlot[][] Run(VectorArena arena, IReadOnlyList<ScanQuery> queries, Func<int, string> idOf)
    {
        var dimension = arena.Dimension;
        foreach (var query in queries)
            if (query.Vector.Length != dimension) throw new ArgumentException($"query has {query.Vector.Length} dims, the arena {dimension}");
        var heaps = queries.Select(q => new TopK(q.K, idOf)).ToArray();
        var blockRows = Math.Max(4, BlockBytes / (dimension * sizeof(float)));
        var scores = new float[blockRows];
        for (var slab = 0; slab < arena.SlabCount; slab++)
        {
            var rows = arena.Slab(slab, out var firstSlot);
            for (var start = 0; start < rows.Length; start += blockRows * dimension)
            {
                var block = rows.Slice(start, Math.Min(blockRows * dimension, rows.Length - start));
                var blockFirstSlot = firstSlot + start / dimension;
                for (var q = 0; q < queries.Count; q++)
                {
                    DotProducts.Score(queries[q].Vector.Span, block, scores);
                    Collect(scores.AsSpan(0, block.Length / dimension), blockFirstSlot, queries[q], heaps[q]);
                }
            }
        }
        return heaps.Select(h => h.ToSortedArray()).ToArray();
    }

    private static void Collect(ReadOnlySpan<float> scores, int firstSlot, ScanQuery query, TopK heap)
    {
        var floor = Math.Max(heap.Floor, query.MinScore);
        for (var i = 0; i < scores.Length; i++)
        {
            var score = scores[i];
            if (score < floor) continue;
            var slot = firstSlot + i;
            if (!heap.WouldKeep(score, slot) || !query.Accept(slot)) continue;
            heap.Add(score, slot);
            floor = Math.Max(heap.Floor, query.MinScore);
        }
    }
}
