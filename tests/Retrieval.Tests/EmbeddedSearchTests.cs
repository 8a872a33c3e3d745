using EmbeddingService.Retrieval.Embedded;
using EmbeddingService.Retrieval.Indexing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmbeddingService.Retrieval.Tests;

/// <summary>Search quality of the embedded store: exact top-k against a naive reference, HNSW recall against exact, concurrency.</summary>
public sealed class EmbeddedSearchTests : IDisposable
{
    private const int Dimension = 32;
    private static readonly CollectionModel Model = new("vits14", "sha256:abc", "cls", "center-crop", 224, Dimension);
    private readonly TempDirectory _data = new();

    private static VectorPoint[] Points(float[][] vectors) => vectors.Select((v, i) => new VectorPoint($"p{i:D5}", v)).ToArray();

    [Fact]
    public void Exact_search_equals_a_naive_scan_across_slabs_and_batches()
    {
        var random = new Random(7);
        var arena = new VectorArena(Dimension);
        var rows = Enumerable.Range(0, 3 * arena.RowsPerSlab / 2 + 5).Select(_ => TestVectors.Unit(TestVectors.Gaussian(random, Dimension, 1))).ToArray();
        foreach (var row in rows) arena.Append(row);
        var queries = Enumerable.Range(0, 5).Select(_ => TestVectors.Unit(TestVectors.Gaussian(random, Dimension, 1))).ToArray();
        string IdOf(int slot) => $"r{slot:D7}";

        var found = ExactSearch.Run(arena, queries.Select(q => new ScanQuery(q, 17, float.NegativeInfinity, slot => slot % 3 != 0)).ToArray(), IdOf);

        for (var q = 0; q < queries.Length; q++)
        {
            var naive = rows.Select((row, slot) => (Slot: slot, Score: row.Zip(queries[q], (a, b) => (double)a * b).Sum()))
                .Where(s => s.Slot % 3 != 0).OrderByDescending(s => s.Score).Take(17).ToArray();
            Assert.Equal(naive.Select(s => s.Slot), found[q].Select(s => s.Slot));
            Assert.All(found[q].Zip(naive), pair => Assert.Equal(pair.Second.Score, pair.First.Score, 1e-5));
        }
    }

    [Fact]
    public async Task Hnsw_recall_at_10_on_clustered_vectors_is_above_0_95()
    {
        var vectors = TestVectors.Clustered(4000, Dimension, 40, seed: 11);
        var queries = TestVectors.Clustered(100, Dimension, 40, seed: 12);
        await using var store = await EmbeddedVectorStore.OpenAsync(_data.Path, NullLogger.Instance);
        await store.CreateCollectionAsync("graph", new CollectionSettings(Model, IndexKind.Hnsw));
        await store.CreateCollectionAsync("scan", new CollectionSettings(Model, IndexKind.Exact));
        foreach (var chunk in Points(vectors).Chunk(1000))
        {
            await store.UpsertAsync("graph", chunk);
            await store.UpsertAsync("scan", chunk);
        }

        var approximate = await store.SearchBatchAsync("graph", queries.Select(q => new SearchQuery(q, K: 10)).ToArray());
        var exact = await store.SearchBatchAsync("scan", queries.Select(q => new SearchQuery(q, K: 10)).ToArray());

        var recall = approximate.Zip(exact, (a, e) => a.Select(h => h.Id).Intersect(e.Select(h => h.Id)).Count() / 10.0).Average();
        Assert.True(recall >= 0.95, $"recall@10 {recall:F3}");
    }

    [Fact]
    public async Task An_auto_collection_switches_to_its_graph_above_the_threshold_and_keeps_answering()
    {
        var vectors = TestVectors.Clustered(600, Dimension, 6, seed: 3);
        await using var store = await EmbeddedVectorStore.OpenAsync(_data.Path, NullLogger.Instance, new EmbeddedStoreOptions { AutoApproximateThreshold = 500 });
        await store.CreateCollectionAsync("auto", new CollectionSettings(Model));
        await store.UpsertAsync("auto", Points(vectors[..400]));
        await store.UpsertAsync("auto", Points(vectors)[400..]);
        await store.DeletePointsAsync("auto", ["p00000"]);

        var hits = await store.SearchAsync("auto", new SearchQuery(vectors[1], K: 5));

        Assert.Equal("p00001", hits[0].Id);
        Assert.Equal(1f, hits[0].Score, 1e-5f);
        Assert.DoesNotContain(hits, h => h.Id == "p00000");
    }

    [Fact]
    public async Task Concurrent_upserts_deletes_and_searches_end_in_the_final_state()
    {
        await using var store = await EmbeddedVectorStore.OpenAsync(_data.Path, NullLogger.Instance);
        await store.CreateCollectionAsync("busy", new CollectionSettings(Model, IndexKind.Exact));
        var random = new Random(5);
        var vectors = Enumerable.Range(0, 400).Select(_ => TestVectors.Unit(TestVectors.Gaussian(random, Dimension, 1))).ToArray();
        var searchesSawHalfABatch = false;
        using var stop = new CancellationTokenSource();

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            // Writer w owns ids w, w+4, ...: it writes them in batches of 10, then deletes the even ones (50) in one call,
            // so every consistent state holds a multiple of 10 points.
            var mine = Enumerable.Range(0, 100).Select(i => i * 4 + w).ToArray();
            foreach (var batch in mine.Chunk(10))
                await store.UpsertAsync("busy", batch.Select(i => new VectorPoint($"p{i:D5}", vectors[i])).ToArray());
            await store.DeletePointsAsync("busy", mine.Where(i => i % 2 == 0).Select(i => $"p{i:D5}").ToArray());
        })).ToArray();
        var searcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                // The store answers searches synchronously, so without a yield this loop would hold its pool thread
                // for good; on a loaded 2-core machine the writers' continuations then waited behind it forever.
                await Task.Yield();
                var count = (await store.SearchAsync("busy", new SearchQuery(vectors[0], K: 1000))).Count;
                if (count % 10 != 0) searchesSawHalfABatch = true;
            }
        });
        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await searcher;

        var expected = Enumerable.Range(0, 400).Where(i => i % 2 == 1).Select(i => $"p{i:D5}").ToArray();
        var all = (await store.SearchAsync("busy", new SearchQuery(vectors[0], K: 1000))).Select(h => h.Id).Order(StringComparer.Ordinal);
        Assert.Equal(expected, all);
        Assert.False(searchesSawHalfABatch);
        await store.DisposeAsync();
        await using var reopened = await EmbeddedVectorStore.OpenAsync(_data.Path, NullLogger.Instance);
        Assert.Equal(200, (await reopened.GetCollectionAsync("busy"))!.Count);
    }

    public void Dispose() => _data.Dispose();
}
