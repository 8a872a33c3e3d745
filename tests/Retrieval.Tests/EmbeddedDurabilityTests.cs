using System.Text.Json;
using EmbeddingService.Retrieval.Embedded;
using Microsoft.Extensions.Logging;

namespace EmbeddingService.Retrieval.Tests;

/// <summary>What the embedded store keeps across restarts, and how it handles damaged or half-written files.</summary>
public sealed class EmbeddedDurabilityTests : IDisposable
{
    private static readonly CollectionModel Model3 = new("vits14", "sha256:abc", "cls", "center-crop", 224, 3);
    private readonly TempDirectory _data = new();
    private readonly RecordingLogger _logger = new();

    private string LogPath(string collection) => Path.Combine(_data.Path, "collections", collection, "points.log");

    private Task<EmbeddedVectorStore> OpenAsync(EmbeddedStoreOptions? options = null) => EmbeddedVectorStore.OpenAsync(_data.Path, _logger, options);

    private static VectorPoint Point(string id, float x, float y, float z, string? payload = null) =>
        new(id, new[] { x, y, z }, payload is null ? null : JsonDocument.Parse(payload).RootElement);

    private static async Task<string[]> AllIdsAsync(IVectorStore store, string collection) =>
        (await store.SearchAsync(collection, new SearchQuery(new float[] { 1, 1, 1 }, K: 1000))).Select(h => h.Id).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Three committed writes (three frames): a, b, c upserted; b replaced; a deleted.</summary>
    private async Task WriteThreeFramesAsync(string collection)
    {
        await using var store = await OpenAsync();
        await store.CreateCollectionAsync(collection, new CollectionSettings(Model3, IndexKind.Exact));
        await store.UpsertAsync(collection, [Point("a", 1, 0, 0), Point("b", 0, 1, 0, """{"v":1}"""), Point("c", 0, 0, 1)]);
        await store.UpsertAsync(collection, [Point("b", 0, 2, 2, """{"v":2}""")]);
        await store.DeletePointsAsync(collection, ["a"]);
    }

    [Fact]
    public async Task Reopening_restores_points_replacements_deletes_and_settings()
    {
        await WriteThreeFramesAsync("keep");

        await using var store = await OpenAsync();

        var info = await store.GetCollectionAsync("keep");
        Assert.Equal((2L, IndexKind.Exact, Model3), (info!.Count, info.Index, info.Model));
        Assert.Equal(["b", "c"], await AllIdsAsync(store, "keep"));
        var b = await store.GetPointAsync("keep", "b");
        Assert.Equal(new[] { 0f, MathF.Sqrt(0.5f), MathF.Sqrt(0.5f) }, b!.Vector, new ToleranceComparer(1e-6f));
        Assert.Equal(2, b.Payload!.Value.GetProperty("v").GetInt32());
    }

    [Fact]
    public async Task A_deleted_collection_stays_deleted_after_reopening()
    {
        await WriteThreeFramesAsync("gone");
        await using (var store = await OpenAsync()) await store.DeleteCollectionAsync("gone");

        await using var reopened = await OpenAsync();

        Assert.Empty(await reopened.ListCollectionsAsync());
        Assert.Empty(Directory.GetDirectories(Path.Combine(_data.Path, "collections")));
    }

    [Fact]
    public async Task A_torn_tail_is_cut_off_with_a_warning_and_earlier_records_are_intact()
    {
        await WriteThreeFramesAsync("torn");
        var intact = new FileInfo(LogPath("torn")).Length;
        await using (var store = await OpenAsync()) await store.UpsertAsync("torn", [Point("d", 1, 1, 0)]);
        var withFourth = new FileInfo(LogPath("torn")).Length;
        using (var file = new FileStream(LogPath("torn"), FileMode.Open))
        {
            file.SetLength(intact + (withFourth - intact) / 2);
            file.Seek(0, SeekOrigin.End);
            file.Write([0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0, 0]);
        }

        await using var reopened = await OpenAsync();

        Assert.Equal(["b", "c"], await AllIdsAsync(reopened, "torn"));
        Assert.Equal(intact, new FileInfo(LogPath("torn")).Length);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains($"at byte offset {intact}"));
        await reopened.UpsertAsync("torn", [Point("e", 1, 0, 0)]);
        await reopened.DisposeAsync();
        await using var again = await OpenAsync();
        Assert.Equal(["b", "c", "e"], await AllIdsAsync(again, "torn"));
    }

    [Fact]
    public async Task Damage_followed_by_intact_records_is_store_corrupt_for_that_collection_only()
    {
        await WriteThreeFramesAsync("damaged");
        await WriteThreeFramesAsync("healthy");
        var bytes = await File.ReadAllBytesAsync(LogPath("damaged"));
        bytes[20] ^= 0xff;
        await File.WriteAllBytesAsync(LogPath("damaged"), bytes);

        await using var store = await OpenAsync();

        var e = await Assert.ThrowsAsync<RetrievalException>(() => store.SearchAsync("damaged", new SearchQuery(new float[] { 1, 0, 0 })));
        Assert.Equal(RetrievalError.StoreCorrupt, e.Error);
        Assert.Contains(LogPath("damaged"), e.Message);
        Assert.Contains("byte offset 0", e.Message);
        Assert.Contains("truncate", e.Message);
        Assert.Equal(RetrievalError.StoreCorrupt, (await Assert.ThrowsAsync<RetrievalException>(() => store.GetCollectionAsync("damaged"))).Error);
        Assert.Equal(["b", "c"], await AllIdsAsync(store, "healthy"));
        Assert.True(await store.DeleteCollectionAsync("damaged"));
        Assert.Null(await store.GetCollectionAsync("damaged"));
    }

    [Fact]
    public async Task Compaction_rewrites_the_log_to_the_live_points_and_survives_reopening()
    {
        var options = new EmbeddedStoreOptions { CompactionMinimumDead = 10, CompactionPointsPerFrame = 3 };
        long oneRound = 0;
        await using (var store = await OpenAsync(options))
        {
            await store.CreateCollectionAsync("compact", new CollectionSettings(Model3, IndexKind.Exact));
            for (var round = 0; round < 5; round++)
            {
                await store.UpsertAsync("compact", Enumerable.Range(0, 8).Select(i => Point($"p{i}", 1, i, round, $$"""{"round":{{round}}}""")).ToList());
                if (round == 0) oneRound = new FileInfo(LogPath("compact")).Length;
            }
            await store.DeletePointsAsync("compact", ["p0", "p1"]);
        }

        await using var reopened = await OpenAsync(options);

        // Uncompacted, five rounds of the same 8 points and a delete would take over five times one round.
        Assert.True(new FileInfo(LogPath("compact")).Length < 2 * oneRound, $"{new FileInfo(LogPath("compact")).Length} bytes");
        Assert.Equal(["p2", "p3", "p4", "p5", "p6", "p7"], await AllIdsAsync(reopened, "compact"));
        Assert.Equal(4, (await reopened.GetPointAsync("compact", "p7"))!.Payload!.Value.GetProperty("round").GetInt32());
        Assert.Contains(_logger.Entries, e => e.Message.Contains("compacted"));
    }

    [Fact]
    public async Task Leftovers_of_an_interrupted_compaction_create_or_delete_are_removed_at_open()
    {
        await WriteThreeFramesAsync("left");
        var collections = Path.Combine(_data.Path, "collections");
        await File.WriteAllBytesAsync(LogPath("left") + ".compacting", [1, 2, 3]);
        Directory.CreateDirectory(Path.Combine(collections, ".creating-new-0123"));
        Directory.CreateDirectory(Path.Combine(collections, ".deleted-old-4567"));

        await using var store = await OpenAsync();

        Assert.Equal(["b", "c"], await AllIdsAsync(store, "left"));
        Assert.False(File.Exists(LogPath("left") + ".compacting"));
        Assert.Equal(["left"], Directory.GetDirectories(collections).Select(Path.GetFileName));
    }

    public void Dispose() => _data.Dispose();
}
