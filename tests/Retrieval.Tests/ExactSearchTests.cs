using EmbeddingService.Retrieval.Indexing;

namespace EmbeddingService.Retrieval.Tests;

/// <summary>The exact scan split across threads and shared by a batch returns what the sequential scan of each query does, bit for bit.</summary>
public sealed class ExactSearchTests
{
    /// <summary>384 takes the AVX-512 kernel where the CPU has it, 40 the AVX2 one, 33 the scalar one.</summary>
    [Theory]
    [InlineData(384, 25_000)]
    [InlineData(40, 120_000)]
    [InlineData(33, 120_000)]
    public void Parallel_and_batched_scans_equal_the_sequential_scan_of_each_query(int dimension, int rows)
    {
        var random = new Random(dimension);
        var arena = Arena(random, dimension, rows, distinct: rows);
        var queries = Enumerable.Range(0, 6).Select(_ => TestVectors.Unit(TestVectors.Gaussian(random, dimension, 1))).ToArray();
        string IdOf(int slot) => $"r{slot:D7}";
        ScanQuery Scan(float[] q) => new(q, 25, float.NegativeInfinity, slot => slot % 7 != 3);

        var sequential = queries.Select(q => ExactSearch.Run(arena, [Scan(q)], IdOf, parallelism: 1)[0]).ToArray();

        foreach (var parallelism in new[] { 2, 3, 8 })
        {
            var batched = ExactSearch.Run(arena, queries.Select(Scan).ToArray(), IdOf, parallelism);
            for (var q = 0; q < queries.Length; q++) Assert.Equal(sequential[q], batched[q]);
            Assert.Equal(sequential[0], ExactSearch.Run(arena, [Scan(queries[0])], IdOf, parallelism)[0]);
        }
    }

    [Fact]
    public void Ties_are_ordered_by_id_whatever_the_parallelism()
    {
        var random = new Random(3);
        const int dimension = 384;
        var arena = Arena(random, dimension, 30_000, distinct: 40);
        // Ids in an order unrelated to the slots, so the tie order shows whether ids (not storage) decide it.
        var ids = Enumerable.Range(0, arena.RowCount).Select(slot => $"id{(slot * 7919L) % arena.RowCount:D6}").ToArray();
        var query = TestVectors.Unit(TestVectors.Gaussian(random, dimension, 1));

        var sequential = ExactSearch.Run(arena, [new ScanQuery(query, 50, float.NegativeInfinity, _ => true)], slot => ids[slot], parallelism: 1)[0];
        var parallel = ExactSearch.Run(arena, [new ScanQuery(query, 50, float.NegativeInfinity, _ => true)], slot => ids[slot], parallelism: 4)[0];

        Assert.Equal(sequential, parallel);
        // Every hit ties with hundreds of copies: the 50 kept are the smallest ids among the best-scoring copies, in order.
        Assert.Single(sequential.Select(h => h.Score).Distinct());
        var best = Enumerable.Range(0, arena.RowCount).Where(slot => arena.Row(slot).SequenceEqual(arena.Row(sequential[0].Slot)))
            .Select(slot => ids[slot]).Order(StringComparer.Ordinal).Take(50);
        Assert.Equal(best, sequential.Select(h => ids[h.Slot]));
    }

    [Fact]
    public void A_row_scores_the_same_alone_as_in_a_block()
    {
        var random = new Random(5);
        foreach (var dimension in new[] { 384, 40, 33 })
        {
            var rows = Enumerable.Range(0, 11).SelectMany(_ => TestVectors.Unit(TestVectors.Gaussian(random, dimension, 1))).ToArray();
            var query = TestVectors.Unit(TestVectors.Gaussian(random, dimension, 1));
            var together = new float[11];
            DotProducts.Score(query, rows, together);
            for (var row = 0; row < 11; row++)
            {
                var alone = new float[1];
                DotProducts.Score(query, rows.AsSpan(row * dimension, dimension), alone);
                Assert.Equal(together[row], alone[0]);
                Assert.Equal(query.Zip(rows.Skip(row * dimension).Take(dimension), (a, b) => (double)a * b).Sum(), together[row], 1e-5);
            }
        }
    }

    [Fact]
    public void Min_score_and_an_empty_arena_are_respected_in_parallel()
    {
        var random = new Random(9);
        var empty = new VectorArena(384);
        var query = TestVectors.Unit(TestVectors.Gaussian(random, 384, 1));
        Assert.Empty(ExactSearch.Run(empty, [new ScanQuery(query, 5, float.NegativeInfinity, _ => true)], _ => "", parallelism: 2)[0]);

        var arena = Arena(random, 384, 20_000, distinct: 20_000);
        var hits = ExactSearch.Run(arena, [new ScanQuery(query, 1000, 0.1f, _ => true)], slot => $"{slot:D6}", parallelism: 2)[0];
        var expected = Enumerable.Range(0, arena.RowCount).Count(slot => Dot(arena.Row(slot), query) >= 0.1f);
        Assert.Equal(Math.Min(1000, expected), hits.Length);
        Assert.All(hits, h => Assert.True(h.Score >= 0.1f));
    }

    /// <summary><paramref name="rows"/> rows cycling through <paramref name="distinct"/> random unit vectors.</summary>
    private static VectorArena Arena(Random random, int dimension, int rows, int distinct)
    {
        var arena = new VectorArena(dimension);
        var vectors = new float[Math.Min(rows, distinct)][];
        for (var slot = 0; slot < rows; slot++)
            arena.Append(vectors[slot % vectors.Length] ??= TestVectors.Unit(TestVectors.Gaussian(random, dimension, 1)));
        return arena;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var scores = new float[1];
        DotProducts.Score(b, a, scores);
        return scores[0];
    }
}
