using System.Net;
using System.Net.Sockets;
using EmbeddingService.Retrieval.Qdrant;

namespace EmbeddingService.Retrieval.Tests.Qdrant;

/// <summary>The store against an address where nothing listens: what it says without a server.</summary>
public sealed class QdrantVectorStoreOfflineTests : IAsyncLifetime
{
    private QdrantVectorStore _store = null!;
    private string _url = "";

    private static readonly CollectionModel Model = new("vits14", "sha256:0123", "cls", "center-crop", 224, 4);

    public Task InitializeAsync()
    {
        // A port that was free a moment ago: connections to it are refused.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        _url = $"http://127.0.0.1:{port}";
        _store = new QdrantVectorStore(new QdrantStoreOptions { Url = _url, Timeout = TimeSpan.FromSeconds(10) });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    public static TheoryData<string, Func<IVectorStore, Task>> Calls() => new()
    {
        { "create", s => s.CreateCollectionAsync("photos", new CollectionSettings(Model)) },
        { "get", s => s.GetCollectionAsync("photos") },
        { "list", s => s.ListCollectionsAsync() },
        { "delete", s => s.DeleteCollectionAsync("photos") },
        { "upsert", s => s.UpsertAsync("photos", [new VectorPoint("a", new float[] { 1, 0, 0, 0 })]) },
        { "get point", s => s.GetPointAsync("photos", "a") },
        { "delete points", s => s.DeletePointsAsync("photos", ["a"]) },
        { "search", s => s.SearchAsync("photos", new SearchQuery(new float[] { 1, 0, 0, 0 })) },
        { "search batch", s => s.SearchBatchAsync("photos", [new SearchQuery(new float[] { 1, 0, 0, 0 })]) },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task AnUnreachableServerIsUnavailableAndNamed(string call, Func<IVectorStore, Task> act)
    {
        var e = await Assert.ThrowsAsync<RetrievalException>(() => act(_store));

        Assert.True(e.Error == RetrievalError.Unavailable, $"{call}: {e.Error} {e.Message}");
        Assert.Contains(_url, e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("-leading-dash")]
    [InlineData("slash/name")]
    public async Task BadCollectionNamesAreRefusedBeforeCallingQdrant(string name)
    {
        var e = await Assert.ThrowsAsync<RetrievalException>(() => new ValidatingVectorStore(_store).GetCollectionAsync(name));

        Assert.Equal(RetrievalError.InvalidArgument, e.Error);
    }

    [Fact]
    public async Task BadPointIdsAreRefusedBeforeCallingQdrant()
    {
        var e = await Assert.ThrowsAsync<RetrievalException>(() => new ValidatingVectorStore(_store).DeletePointsAsync("photos", ["ok", ""]));

        Assert.Equal(RetrievalError.InvalidArgument, e.Error);
        Assert.Equal(1, e.Index);
    }

    [Fact]
    public void DescribeNamesTheServerAndThePrefix()
    {
        Assert.Equal($"qdrant ({_url}, collections embeddings_*)", _store.Describe());
    }
}
