namespace EmbeddingService.Retrieval.Indexing;

/// <summary>
/// Exact top-k by dot product: every stored row is scored against every query. The rows are cut into blocks that
/// stay in L2 while every query of a batch scores them (one pass over memory serves the whole batch); runs of blocks
/// are shared out to at most <c>parallelism</c> workers of the thread pool, each keeping its own top-k per query,
/// merged at the end. Results are the same, ids and scores bit for bit, whatever the parallelism and batch: each row
/// scores the same wherever it is scanned (<see cref="DotProducts"/>), and <see cref="TopK"/>'s order is total.
/// </summary>
internal static class ExactSearch
{
    /// <summary>Rows scored per query before moving on: small enough to stay in L2 while every query of a batch reads them.</summary>
    private const int BlockBytes = 192 * 1024;

    /// <summary>Blocks one worker takes at a time (about 6 MB): coarse enough that hand-offs cost nothing, fine enough to balance.</summary>
    private const int BlocksPerTask = 32;

    /// <summary>The best rows per query, best first; ties by id through <paramref name="idOf"/>.</summary>
    /// <param name="parallelism">Workers at most (the calling thread among them).</param>
    public static ScoredSlot[][] Run(VectorArena arena, IReadOnlyList<ScanQuery> queries, Func<int, string> idOf, int parallelism = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        var dimension = arena.Dimension;
        foreach (var query in queries)
            if (query.Vector.Length != dimension) throw new ArgumentException($"query has {query.Vector.Length} dims, the arena {dimension}");
        var blockRows = Math.Max(4, BlockBytes / (dimension * sizeof(float)));
        var blocks = Blocks(arena, blockRows);
        var merged = queries.Select(q => new TopK(q.K, idOf)).ToArray();
        var tasks = (blocks.Count + BlocksPerTask - 1) / BlocksPerTask;
        Parallel.For(0, tasks, new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            () => new Worker(queries, idOf, blockRows),
            (task, _, worker) =>
            {
                for (var b = task * BlocksPerTask; b < Math.Min(blocks.Count, (task + 1) * BlocksPerTask); b++) worker.Scan(arena, blocks[b]);
                return worker;
            },
            worker =>
            {
                lock (merged) worker.MergeInto(merged);
            });
        return merged.Select(h => h.ToSortedArray()).ToArray();
    }

    /// <summary>The blocks of every slab in slot order: (slab, first row in the slab, rows).</summary>
    private static List<(int Slab, int Start, int Rows)> Blocks(VectorArena arena, int blockRows)
    {
        var blocks = new List<(int, int, int)>();
        for (var slab = 0; slab < arena.SlabCount; slab++)
        {
            var rows = arena.Slab(slab, out _).Length / arena.Dimension;
            for (var start = 0; start < rows; start += blockRows) blocks.Add((slab, start, Math.Min(blockRows, rows - start)));
        }
        return blocks;
    }

    /// <summary>One worker's scores buffer and top-k per query.</summary>
    private sealed class Worker(IReadOnlyList<ScanQuery> queries, Func<int, string> idOf, int blockRows)
    {
        private readonly float[] _scores = new float[blockRows];
        private readonly TopK[] _heaps = queries.Select(q => new TopK(q.K, idOf)).ToArray();

        public void Scan(VectorArena arena, (int Slab, int Start, int Rows) block)
        {
            var dimension = arena.Dimension;
            var rows = arena.Slab(block.Slab, out var firstSlot).Slice(block.Start * dimension, block.Rows * dimension);
            var scores = _scores.AsSpan(0, block.Rows);
            for (var q = 0; q < queries.Count; q++)
            {
                DotProducts.Score(queries[q].Vector.Span, rows, scores);
                Collect(scores, firstSlot + block.Start, queries[q], _heaps[q]);
            }
        }

        public void MergeInto(TopK[] merged)
        {
            for (var q = 0; q < merged.Length; q++)
                foreach (var kept in _heaps[q].Kept) merged[q].Add(kept.Score, kept.Slot);
        }
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
