using System.Buffers.Binary;
using EmbeddingService.Retrieval.Embedded;
using Microsoft.Extensions.Logging;

namespace EmbeddingService.Retrieval.Tests;

/// <summary>The HNSW graph saved beside the log: loaded at restart with only the newer log records re-added, rebuilt with a warning when it cannot be used.</summary>
public sealed class HnswPersistenceTests : IDisposable
{
    private const int Dimension = 32;
    private static readonly CollectionModel Model = new("vits14", "sha256:abc", "cls", "center-crop", 224, Dimension);
    private readonly TempDirectory _data = new();
    private readonly RecordingLogger _logger = new();

    public void Dispose() => _data.Dispose();

    private string GraphPath => Path.Combine(_data.Path, "collections", "photos", GraphFile.FileName);

    /// <summary>Saves only at close unless a test asks otherwise.</summary>
    private static readonly EmbeddedStoreOptions SaveAtCloseOnly = new() { GraphSaveAfterChanges = long.MaxValue, GraphSaveWhenIdleFor = TimeSpan.FromHours(1) };

    private Task<EmbeddedVectorStore> OpenAsync(EmbeddedStoreOptions? options = null) => EmbeddedVectorStore.OpenAsync(_data.Path, _logger, options ?? SaveAtCloseOnly);

    private static VectorPoint[] Points(float[][] vectors, int first = 0) => vectors.Select((v, i) => new VectorPoint($"p{first + i:D5}", v)).ToArray();

    private static readonly float[][] Queries = TestVectors.Clustered(40, Dimension, 20, seed: 2);

    private static async Task<(string Id, float Score)[][]> SearchAllAsync(IVectorStore store) =>
        (await store.SearchBatchAsync("photos", Queries.Select(q => new SearchQuery(q, K: 10)).ToArray())).Select(hits => hits.Select(h => (h.Id, h.Score)).ToArray()).ToArray();

    /// <summary>3000 points, 200 of them replaced and 100 deleted, so the graph holds removed entries too.</summary>
    private static async Task FillAsync(IVectorStore store)
    {
        await store.CreateCollectionAsync("photos", new CollectionSettings(Model, IndexKind.Hnsw));
        foreach (var chunk in Points(TestVectors.Clustered(3000, Dimension, 20, seed: 1)).Chunk(500)) await store.UpsertAsync("photos", chunk);
        await store.UpsertAsync("photos", Points(TestVectors.Clustered(200, Dimension, 20, seed: 3), first: 1000));
        await store.DeletePointsAsync("photos", Enumerable.Range(2000, 100).Select(i => $"p{i:D5}").ToArray());
    }

    private string[] Warnings => _logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToArray();

    private bool Loaded => _logger.Entries.Any(e => e.Message.Contains("loaded its HNSW graph", StringComparison.Ordinal));

    [Fact]
    public async Task A_restart_loads_the_saved_graph_and_answers_exactly_as_before()
    {
        (string, float)[][] before;
        await using (var store = await OpenAsync())
        {
            await FillAsync(store);
            before = await SearchAllAsync(store);
        }
        Assert.True(File.Exists(GraphPath));

        await using (var store = await OpenAsync())
        {
            Assert.Equal(before, await SearchAllAsync(store));
            Assert.Equal(2900, (await store.GetCollectionAsync("photos"))!.Count);
        }
        Assert.True(Loaded);
        Assert.DoesNotContain(_logger.Entries, e => e.Message.Contains("built its HNSW graph", StringComparison.Ordinal) && e.Message.Contains("2900", StringComparison.Ordinal));
        Assert.Empty(Warnings);
    }

    [Fact]
    public async Task With_the_log_ahead_of_the_graph_only_the_newer_records_are_re_added()
    {
        await using (var store = await OpenAsync()) await FillAsync(store);
        var olderGraph = File.ReadAllBytes(GraphPath);
        var moved = TestVectors.Clustered(50, Dimension, 20, seed: 4);
        await using (var store = await OpenAsync())
        {
            await store.UpsertAsync("photos", Points(moved, first: 0));
            await store.UpsertAsync("photos", Points(TestVectors.Clustered(30, Dimension, 20, seed: 5), first: 5000));
            await store.DeletePointsAsync("photos", ["p00100", "p00101", "p05000"]);
        }
        // As if the process had died before saving the graph again: the log holds 82 changed points (50 moved, 30 new, 2 more deleted) the graph does not.
        File.WriteAllBytes(GraphPath, olderGraph);

        await using (var store = await OpenAsync())
        {
            Assert.True(Loaded);
            Assert.Contains(_logger.Entries, e => e.Message.Contains("re-added 82 points", StringComparison.Ordinal));
            Assert.Equal(2900 + 30 - 3, (await store.GetCollectionAsync("photos"))!.Count);
            for (var i = 0; i < moved.Length; i += 7)
            {
                var hits = await store.SearchAsync("photos", new SearchQuery(moved[i], K: 1));
                Assert.Equal($"p{i:D5}", hits[0].Id);
            }
            var found = (await store.SearchAsync("photos", new SearchQuery(TestVectors.Clustered(30, Dimension, 20, seed: 5)[7], K: 1)))[0];
            Assert.Equal("p05007", found.Id);
            var all = await store.SearchBatchAsync("photos", Queries.Select(q => new SearchQuery(q, K: 10)).ToArray());
            Assert.DoesNotContain(all.SelectMany(h => h), h => h.Id is "p00100" or "p00101" or "p05000");
        }
        Assert.Empty(Warnings);
    }

    [Theory]
    [InlineData("truncated", "long where its header calls for")]
    [InlineData("wrong-version", "format version 99")]
    [InlineData("checksum", "checksum does not match")]
    [InlineData("missing", "is missing")]
    [InlineData("not-a-graph", "not a graph file")]
    public async Task An_unusable_graph_file_is_rebuilt_from_the_log_with_a_warning_and_saved_again(string damage, string expected)
    {
        (string, float)[][] exact;
        await using (var store = await OpenAsync())
        {
            await FillAsync(store);
            exact = await SearchAllAsync(store);
        }
        Damage(damage);

        await using (var store = await OpenAsync())
        {
            var after = await SearchAllAsync(store);
            var recall = after.Zip(exact, (a, e) => a.Select(h => h.Item1).Intersect(e.Select(h => h.Item1)).Count() / 10.0).Average();
            Assert.True(recall >= 0.95, $"recall@10 against before the restart {recall:F3}");
        }
        var warning = Assert.Single(Warnings);
        Assert.Contains(expected, warning, StringComparison.Ordinal);
        Assert.Contains("rebuilding the HNSW graph from the log", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(_data.Path, warning, StringComparison.Ordinal);

        // The rebuilt graph was saved: the next start loads it.
        _logger.Clear();
        await using (var store = await OpenAsync()) Assert.Equal(2900, (await store.GetCollectionAsync("photos"))!.Count);
        Assert.True(Loaded);
        Assert.Empty(Warnings);
    }

    [Fact]
    public async Task A_graph_from_before_a_compaction_is_stale_and_rebuilt_but_the_one_saved_after_it_loads()
    {
        var compacting = SaveAtCloseOnly with { CompactionMinimumDead = 100, CompactWhenDeadExceedsLiveBy = 0.5 };
        await using (var store = await OpenAsync(compacting)) await FillAsync(store);
        var beforeCompaction = File.ReadAllBytes(GraphPath);
        await using (var store = await OpenAsync(compacting))
        {
            // 1500 replacements: dead entries pass half the live points, so the log is rewritten.
            await store.UpsertAsync("photos", Points(TestVectors.Clustered(1500, Dimension, 20, seed: 6)));
        }
        Assert.Contains(_logger.Entries, e => e.Message.Contains("compacted its log", StringComparison.Ordinal));

        _logger.Clear();
        await using (var store = await OpenAsync(compacting)) Assert.Equal(2900, (await store.GetCollectionAsync("photos"))!.Count);
        Assert.True(Loaded);
        Assert.Empty(Warnings);

        File.WriteAllBytes(GraphPath, beforeCompaction);
        _logger.Clear();
        await using (var store = await OpenAsync(compacting))
        {
            var hit = (await store.SearchAsync("photos", new SearchQuery(TestVectors.Clustered(1500, Dimension, 20, seed: 6)[42], K: 1)))[0];
            Assert.Equal("p00042", hit.Id);
        }
        Assert.Contains("does not reach or reaches with other records", Assert.Single(Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_graph_is_saved_when_writes_pause_and_after_enough_changes()
    {
        await using (var store = await OpenAsync(SaveAtCloseOnly with { GraphSaveWhenIdleFor = TimeSpan.FromMilliseconds(200) }))
        {
            await store.CreateCollectionAsync("photos", new CollectionSettings(Model, IndexKind.Hnsw));
            File.Delete(GraphPath);
            await store.UpsertAsync("photos", Points(TestVectors.Clustered(300, Dimension, 20, seed: 1)));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!File.Exists(GraphPath) && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.True(File.Exists(GraphPath), "no save after 30 s idle");
        }

        var path = Path.Combine(_data.Path, "collections", "counted", GraphFile.FileName);
        await using (var store = await OpenAsync(SaveAtCloseOnly with { GraphSaveAfterChanges = 250 }))
        {
            await store.CreateCollectionAsync("counted", new CollectionSettings(Model, IndexKind.Hnsw));
            var created = File.GetLastWriteTimeUtc(path);
            await store.UpsertAsync("counted", Points(TestVectors.Clustered(200, Dimension, 20, seed: 1)));
            Assert.Equal(created, File.GetLastWriteTimeUtc(path));
            await store.UpsertAsync("counted", Points(TestVectors.Clustered(100, Dimension, 20, seed: 2), first: 200));
            // The save follows the commit on the log writer, after the caller is answered.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (KeyCount(path) != 300 && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.Equal(300, KeyCount(path));
        }
    }

    /// <summary>The key count in the graph file's header (the file is replaced by rename, so it is always whole).</summary>
    private static long KeyCount(string path)
    {
        var header = new byte[64];
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete)) file.ReadExactly(header);
        return BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(40));
    }

    private void Damage(string how)
    {
        var bytes = File.ReadAllBytes(GraphPath);
        switch (how)
        {
            case "truncated":
                File.WriteAllBytes(GraphPath, bytes[..(bytes.Length * 2 / 3)]);
                break;
            case "wrong-version":
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 99);
                File.WriteAllBytes(GraphPath, bytes);
                break;
            case "checksum":
                bytes[bytes.Length / 2] ^= 0x5A;
                File.WriteAllBytes(GraphPath, bytes);
                break;
            case "missing":
                File.Delete(GraphPath);
                break;
            case "not-a-graph":
                File.WriteAllText(GraphPath, "hello");
                break;
        }
    }
}
