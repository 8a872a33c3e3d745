using System.Buffers.Binary;
using System.IO.Hashing;
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

    private string[] QuarantineFiles(string collection) =>
        Directory.GetFiles(Path.Combine(_data.Path, "collections", collection), "points.log.quarantine-*");

    /// <summary>Offset and body length of every frame of a log, read by their headers.</summary>
    private static List<(long Offset, int Length)> Frames(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var frames = new List<(long, int)>();
        for (var at = 0; at < bytes.Length;)
        {
            var length = LogFrame.ReadHeader(bytes.AsSpan(at, LogFrame.HeaderBytes), bytes.Length - at, out _, out var grouped, out var problem);
            Assert.True(problem is null && grouped, $"frame at {at}: {problem}");
            frames.Add((at, length));
            at += LogFrame.HeaderBytes + length;
        }
        return frames;
    }

    private static VectorPoint[] Many(int count, int dimension, string prefix)
    {
        var random = new Random(count);
        return Enumerable.Range(0, count)
            .Select(i => new VectorPoint($"{prefix}{i}", TestVectors.Gaussian(random, dimension, 1f), JsonDocument.Parse($$"""{"i":{{i}}}""").RootElement))
            .ToArray();
    }

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
        Assert.Contains("collections/damaged/points.log", e.Message);
        Assert.DoesNotContain(_data.Path, e.Message);
        Assert.Contains("byte offset 0", e.Message);
        Assert.Contains("truncate", e.Message);
        Assert.Equal(RetrievalError.StoreCorrupt, (await Assert.ThrowsAsync<RetrievalException>(() => store.GetCollectionAsync("damaged"))).Error);
        Assert.Equal(["b", "c"], await AllIdsAsync(store, "healthy"));
        Assert.Equal([("damaged", CollectionState.Corrupt, e.Message, Model3), ("healthy", CollectionState.Ready, null, Model3)],
            (await store.ListCollectionsAsync()).Select(c => (c.Name, c.State, c.Problem, c.Model)));
        Assert.True(await store.DeleteCollectionAsync("damaged"));
        Assert.Null(await store.GetCollectionAsync("damaged"));
        Assert.Equal(["healthy"], (await store.ListCollectionsAsync()).Select(c => c.Name));
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

    [Fact]
    public async Task A_damaged_final_record_is_quarantined_and_the_warning_says_what_may_be_lost()
    {
        await WriteThreeFramesAsync("tail");
        var last = Frames(LogPath("tail"))[^1].Offset;
        var bytes = await File.ReadAllBytesAsync(LogPath("tail"));
        bytes[^1] ^= 0xff;
        await File.WriteAllBytesAsync(LogPath("tail"), bytes);

        await using var store = await OpenAsync();

        Assert.Equal(["a", "b", "c"], await AllIdsAsync(store, "tail"));
        var quarantine = Assert.Single(QuarantineFiles("tail"));
        Assert.Equal(bytes[(int)last..], await File.ReadAllBytesAsync(quarantine));
        Assert.Equal(last, new FileInfo(LogPath("tail")).Length);
        var warning = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning).Message;
        Assert.Contains($"collections/tail/points.log bytes {last} to {bytes.Length} ({bytes.Length - last} bytes", warning);
        Assert.Contains("checksum mismatch", warning);
        Assert.Contains("may hold acknowledged writes", warning);
        Assert.Contains($"kept in collections/tail/{Path.GetFileName(quarantine)}", warning);
        Assert.DoesNotContain(_data.Path, warning);
    }

    [Fact]
    public async Task A_large_upsert_is_written_as_bounded_frames_of_one_group_and_reopens_whole()
    {
        var points = Many(10_000, 384, "p");
        await using (var store = await OpenAsync())
        {
            await store.CreateCollectionAsync("large", new CollectionSettings(Model3 with { Dimension = 384 }, IndexKind.Exact));
            await store.UpsertAsync("large", points);
        }

        var frames = Frames(LogPath("large"));
        await using var reopened = await OpenAsync();

        // 10,000 × (384 × 4 vector bytes + id + payload) ≈ 15.6 MB: one frame before, about 15 now.
        Assert.InRange(frames.Count, 14, 17);
        Assert.All(frames, f => Assert.True(f.Length <= LogFrame.TargetBodyBytes + 2_000, $"{f.Length} bytes"));
        Assert.Equal(10_000, (await reopened.GetCollectionAsync("large"))!.Count);
        var last = await reopened.GetPointAsync("large", "p9999");
        Assert.Equal(TestVectors.Unit(points[9999].Vector.ToArray()), last!.Vector, new ToleranceComparer(1e-6f));
        Assert.Equal(9999, last.Payload!.Value.GetProperty("i").GetInt32());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_torn_group_at_the_tail_is_absent_after_reopening_and_earlier_data_is_intact(bool cutAtAFrameBoundary)
    {
        await using (var store = await OpenAsync())
        {
            await store.CreateCollectionAsync("group", new CollectionSettings(Model3 with { Dimension = 384 }, IndexKind.Exact));
            await store.UpsertAsync("group", Many(10, 384, "early"));
        }
        var intact = new FileInfo(LogPath("group")).Length;
        await using (var store = await OpenAsync()) await store.UpsertAsync("group", Many(3_000, 384, "late"));
        var frames = Frames(LogPath("group"));
        Assert.True(frames.Count >= 4, $"{frames.Count} frames");
        var cut = cutAtAFrameBoundary ? frames[3].Offset : frames[2].Offset + 100;
        var bytes = await File.ReadAllBytesAsync(LogPath("group"));
        using (var file = new FileStream(LogPath("group"), FileMode.Open)) file.SetLength(cut);

        await using var reopened = await OpenAsync();

        Assert.Equal(10, (await reopened.GetCollectionAsync("group"))!.Count);
        Assert.NotNull(await reopened.GetPointAsync("group", "early9"));
        Assert.Null(await reopened.GetPointAsync("group", "late0"));
        Assert.Equal(intact, new FileInfo(LogPath("group")).Length);
        Assert.Equal(bytes[(int)intact..(int)cut], await File.ReadAllBytesAsync(Assert.Single(QuarantineFiles("group"))));
        Assert.Contains($"bytes {intact} to {cut}", Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning).Message);
    }

    [Fact]
    public async Task Damage_inside_the_last_group_is_a_damaged_tail_even_with_intact_frames_of_that_group_after_it()
    {
        await using (var store = await OpenAsync())
        {
            await store.CreateCollectionAsync("unsynced", new CollectionSettings(Model3 with { Dimension = 384 }, IndexKind.Exact));
            await store.UpsertAsync("unsynced", Many(10, 384, "early"));
        }
        var intact = new FileInfo(LogPath("unsynced")).Length;
        await using (var store = await OpenAsync()) await store.UpsertAsync("unsynced", Many(3_000, 384, "late"));
        // Until its fsync a group's pages reach the disk in any order: its second frame lost, the later ones written.
        var frames = Frames(LogPath("unsynced"));
        var bytes = await File.ReadAllBytesAsync(LogPath("unsynced"));
        bytes[(int)frames[2].Offset + LogFrame.HeaderBytes + 100] ^= 0xff;
        await File.WriteAllBytesAsync(LogPath("unsynced"), bytes);

        await using var reopened = await OpenAsync();

        Assert.Equal(10, (await reopened.GetCollectionAsync("unsynced"))!.Count);
        Assert.Equal(intact, new FileInfo(LogPath("unsynced")).Length);
        Assert.Equal(bytes[(int)intact..], await File.ReadAllBytesAsync(Assert.Single(QuarantineFiles("unsynced"))));
        Assert.Contains($"damaged at byte offset {frames[2].Offset}", Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning).Message);
    }

    [Fact]
    public async Task Logs_of_the_first_format_are_read_and_their_manifest_is_upgraded()
    {
        await using (var store = await OpenAsync()) await store.CreateCollectionAsync("old", new CollectionSettings(Model3, IndexKind.Exact));
        var manifestPath = Path.Combine(_data.Path, "collections", "old", "collection.json");
        await File.WriteAllTextAsync(manifestPath, (await File.ReadAllTextAsync(manifestPath)).Replace("\"format\": 2", "\"format\": 1"));
        var body = LogOperationCodec.Encode(new UpsertOperation(["a", "b"], [1, 0, 0, 0, 1, 0], [null, null]), int.MaxValue).Single();
        var header = new byte[LogFrame.HeaderBytes];
        "EVL1"u8.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Crc32.HashToUInt32(body));
        await File.WriteAllBytesAsync(LogPath("old"), [.. header, .. body]);

        await using (var store = await OpenAsync())
        {
            Assert.Equal(["a", "b"], await AllIdsAsync(store, "old"));
            await store.UpsertAsync("old", [Point("c", 0, 0, 1)]);
        }
        await using var reopened = await OpenAsync();

        Assert.Equal(["a", "b", "c"], await AllIdsAsync(reopened, "old"));
        Assert.Contains("\"format\": 2", await File.ReadAllTextAsync(manifestPath));
    }

    [Fact]
    public async Task Messages_about_damaged_collections_name_no_server_path()
    {
        await WriteThreeFramesAsync("garbled");
        await WriteThreeFramesAsync("unmanifested");
        await File.WriteAllTextAsync(Path.Combine(_data.Path, "collections", "garbled", "collection.json"), "{not json");
        File.Delete(Path.Combine(_data.Path, "collections", "unmanifested", "collection.json"));

        await using var store = await OpenAsync();

        var listed = await store.ListCollectionsAsync();
        Assert.Equal([CollectionState.Corrupt, CollectionState.Corrupt], listed.Select(c => c.State));
        Assert.Contains("collections/garbled/collection.json", listed[0].Problem);
        Assert.Contains("collections/unmanifested/collection.json", listed[1].Problem);
        foreach (var name in new[] { "garbled", "unmanifested" })
        {
            var e = await Assert.ThrowsAsync<RetrievalException>(() => store.GetCollectionAsync(name));
            Assert.Equal(RetrievalError.StoreCorrupt, e.Error);
            Assert.DoesNotContain(_data.Path, e.Message);
        }
        Assert.All(listed, c => Assert.DoesNotContain(_data.Path, c.Problem));
    }

    public void Dispose() => _data.Dispose();
}
