using System.Text.Json;

namespace EmbeddingService.Retrieval.Tests;

/// <summary>
/// The behaviour every <see cref="IVectorStore"/> must have. Each backend runs it by deriving a class that opens
/// its store; a backend that is not available here skips (with the reason) from <see cref="OpenStoreAsync"/>.
/// </summary>
public abstract class VectorStoreContractTests : IAsyncLifetime
{
    private readonly List<IVectorStore> _opened = [];

    /// <summary>Opens a store with no collections of this test's making (call <c>Skip.If</c> here when unavailable).</summary>
    protected abstract Task<IVectorStore> OpenStoreAsync();

    /// <summary>A collection name unique to this test run, so runs against a shared server do not collide.</summary>
    protected static string UniqueName(string stem) => $"{stem}-{Guid.NewGuid():N}"[..Math.Min(stem.Length + 13, 64)];

    protected static readonly CollectionModel Model4 = new("vits14", "sha256:0123456789abcdef", "cls", "center-crop", 224, 4);

    protected async Task<IVectorStore> StoreAsync()
    {
        var store = await OpenStoreAsync();
        _opened.Add(store);
        return store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _opened) await store.DisposeAsync();
    }

    [SkippableFact]
    public async Task Upserted_points_are_found_by_search_best_first()
    {
        var store = await StoreAsync();
        var name = UniqueName("order");
        await store.CreateCollectionAsync(name, new CollectionSettings(Model4));
        await store.UpsertAsync(name, [
            new VectorPoint("a", new float[] { 1, 0, 0, 0 }),
            new VectorPoint("b", new float[] { 1, 1, 0, 0 }),
            new VectorPoint("c", new float[] { 0, 0, 1, 0 }, JsonDocument.Parse("""{"shelf":"c"}""").RootElement),
        ]);

        var hits = await store.SearchAsync(name, new SearchQuery(new float[] { 2, 0, 0, 0 }, K: 2));

        Assert.Equal(["a", "b"], hits.Select(h => h.Id));
        Assert.Equal(1f, hits[0].Score, 1e-5f);
        Assert.Equal(MathF.Sqrt(0.5f), hits[1].Score, 1e-5f);
        await store.DeleteCollectionAsync(name);
    }

    [SkippableFact]
    public async Task Search_in_a_missing_collection_is_collection_not_found()
    {
        var store = await StoreAsync();

        var e = await Assert.ThrowsAsync<RetrievalException>(() => store.SearchAsync(UniqueName("missing"), new SearchQuery(new float[] { 1, 0, 0, 0 })));

        Assert.Equal(RetrievalError.CollectionNotFound, e.Error);
    }
}
