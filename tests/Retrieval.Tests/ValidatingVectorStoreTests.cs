using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using EmbeddingService.Retrieval.Embedded;
using EmbeddingService.Retrieval.Qdrant;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmbeddingService.Retrieval.Tests;

/// <summary>
/// The argument rules above every store: each bad call fails with one error, index and message, the same over a
/// minimal store, the embedded store and a Qdrant store with no server behind it, and none of them reaches the store.
/// </summary>
public sealed class ValidatingVectorStoreTests : IDisposable
{
    private static readonly CollectionModel Model4 = new("vits14", "sha256:0", "cls", "center-crop", 224, 4);
    private readonly TempDirectory _data = new();

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    private static VectorPoint Point(string id, string? payload = null, params float[] vector) =>
        new(id, vector.Length == 0 ? new float[] { 1, 0, 0, 0 } : vector, payload is null ? null : Json(payload));

    private static SearchQuery Query(int k = 10, float? threshold = null, PayloadFilter? filter = null, params float[] vector) =>
        new(vector.Length == 0 ? new float[] { 1, 0, 0, 0 } : vector, k, filter, threshold);

    private static PayloadFilter Where(string key, params string[] values) => new([new FieldCondition(key, values.Select(Json).ToArray())]);

    /// <summary>A bad call, and the index and message it must fail with (all are InvalidArgument).</summary>
    public static TheoryData<string, Func<IVectorStore, Task>, int?, string> BadCalls() => new()
    {
        { "name", s => s.GetCollectionAsync("a/b"), null, "invalid collection name 'a/b': use 1 to 63 letters, digits, '_', '.' or '-', starting with a letter or digit" },
        { "dimension 0", s => s.CreateCollectionAsync("c", new CollectionSettings(Model4 with { Dimension = 0 })), null, "the model dimension must be between 1 and 65536, not 0" },
        { "index kind", s => s.CreateCollectionAsync("c", new CollectionSettings(Model4, (IndexKind)7)), null, "unknown index kind 7" },
        { "blank id", s => s.UpsertAsync("c", [Point("a"), Point(" ")]), 1, "point 1: the point id is empty or blank" },
        { "control id", s => s.UpsertAsync("c", [Point("tab\there")]), 0, "point 0: the point id 'tab\there' contains a control character" },
        { "long id", s => s.UpsertAsync("c", [Point(new string('é', 129))]), 0, "point 0: the point id is longer than 256 UTF-8 bytes" },
        { "slash id", s => s.UpsertAsync("c", [Point("a/b")]), 0, "point 0: the point id 'a/b' contains '/', which cannot be part of a REST path segment (/v1/collections/{name}/points/{id}); use another character" },
        { "dot-dot id", s => s.UpsertAsync("c", [Point("..")]), 0, "point 0: the point id '..' is a relative path segment, which clients resolve away in /v1/collections/{name}/points/{id}; use another id" },
        { "zero vector", s => s.UpsertAsync("c", [Point("a"), Point("z", null, 0, 0, 0, 0)]), 1, "point 1 ('z'): the vector is zero, so it has no direction" },
        { "NaN vector", s => s.UpsertAsync("c", [Point("n", null, float.NaN, 1, 0, 0)]), 0, "point 0 ('n'): the vector has a non-finite (NaN or infinite) component" },
        { "array payload", s => s.UpsertAsync("c", [Point("p", "[1]")]), 0, "point 0 ('p'): the payload is a JSON Array; it must be an object" },
        { "reserved payload key", s => s.UpsertAsync("c", [Point("p", """{"_id":"mine"}""")]), 0, "point 0 ('p'): the payload key '_id' is reserved (the Qdrant store keeps the point id there)" },
        { "too many points", s => s.UpsertAsync("c", Enumerable.Range(0, 100_001).Select(i => Point($"p{i}")).ToArray()), null, "100001 points in one upsert; at most 100000" },
        { "get blank id", s => s.GetPointAsync("c", ""), null, "the point id is empty or blank" },
        { "delete control id", s => s.DeletePointsAsync("c", ["ok", "bad\n"]), 1, "id 1: the point id 'bad\n' contains a control character" },
        { "k 0", s => s.SearchAsync("c", Query(k: 0)), null, "k must be between 1 and 10000, not 0" },
        { "k huge", s => s.SearchBatchAsync("c", [Query(), Query(k: 1_000_000)]), 1, "query 1: k must be between 1 and 10000, not 1000000" },
        { "zero query", s => s.SearchAsync("c", Query(vector: [0, 0, 0, 0])), null, "the vector is zero, so it has no direction" },
        { "NaN threshold", s => s.SearchAsync("c", Query(threshold: float.NaN)), null, "the score threshold NaN is not a finite number" },
        { "infinite threshold", s => s.SearchBatchAsync("c", [Query(threshold: float.PositiveInfinity)]), 0, "query 0: the score threshold Infinity is not a finite number" },
        { "filter real", s => s.SearchAsync("c", Query(filter: Where("k", "2.5"))), null, "filter condition 0 (k): 2.5 is not a string, integer or boolean" },
        { "filter null", s => s.SearchAsync("c", Query(filter: Where("k", "null"))), null, "filter condition 0 (k): null is not a string, integer or boolean" },
        { "filter empty segment", s => s.SearchBatchAsync("c", [Query(), Query(), Query(filter: Where("a..b", "1"))]), 2, "query 2: filter condition 0: the key 'a..b' is empty or has an empty segment; use names separated by single dots" },
        { "filter reserved", s => s.SearchAsync("c", Query(filter: Where("_id", "\"p1\""))), null, "filter condition 0: the key '_id' uses the reserved payload key '_id'" },
        { "filter no values", s => s.SearchAsync("c", Query(filter: Where("shelf"))), null, "filter condition 0 (shelf) lists no values" },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task A_bad_call_fails_above_the_store_with_one_wording(string rule, Func<IVectorStore, Task> call, int? index, string message)
    {
        var recording = new RecordingVectorStore();
        await using var embedded = await EmbeddedVectorStore.OpenAsync(_data.Path, NullLogger.Instance);
        await using var qdrant = new QdrantVectorStore(new QdrantStoreOptions { Url = $"http://127.0.0.1:{FreePort()}" });

        foreach (var inner in new IVectorStore[] { recording, embedded, qdrant })
        {
            var e = await Assert.ThrowsAsync<RetrievalException>(() => call(new ValidatingVectorStore(inner)));

            Assert.True(e.Error == RetrievalError.InvalidArgument, $"{rule} over {inner.Describe()}: {e.Error} {e.Message}");
            Assert.Equal((index, message), (e.Index, e.Message));
        }
        Assert.Equal(0, recording.Calls);
    }

    [Fact]
    public async Task Good_calls_reach_the_store_and_an_absent_or_null_payload_is_no_payload()
    {
        var recording = new RecordingVectorStore();
        var store = new ValidatingVectorStore(recording);

        await store.CreateCollectionAsync("c", new CollectionSettings(Model4));
        await store.UpsertAsync("c", [Point("a"), Point("b", "null"), Point("c", """{"nested":{"_id":"allowed below the top level"}}"""), Point("tiny", null, 1e-30f, 0, 0, 0)]);
        await store.GetPointAsync("c", "old/id");
        await store.DeletePointsAsync("c", ["old/id", ".."]);
        await store.SearchAsync("c", Query(k: 10_000, threshold: -1, filter: Where("shelf.row", "\"a\"", "3", "true")));
        await store.SearchBatchAsync("c", [Query(), Query(filter: new PayloadFilter([]))]);

        Assert.Equal(6, recording.Calls);
    }

    [Fact]
    public async Task Limits_are_the_callers_to_set()
    {
        var store = new ValidatingVectorStore(new RecordingVectorStore(), new CollectionRequestLimits { MaxK = 5, MaxQueriesPerBatch = 1, MaxIdsPerDelete = 2 });

        Assert.Equal("k must be between 1 and 5, not 6", (await Assert.ThrowsAsync<RetrievalException>(() => store.SearchAsync("c", Query(k: 6)))).Message);
        Assert.Equal("2 queries in one batch; at most 1", (await Assert.ThrowsAsync<RetrievalException>(() => store.SearchBatchAsync("c", [Query(), Query()]))).Message);
        Assert.Equal("3 ids in one delete; at most 2", (await Assert.ThrowsAsync<RetrievalException>(() => store.DeletePointsAsync("c", ["a", "b", "c"]))).Message);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose() => _data.Dispose();
}
