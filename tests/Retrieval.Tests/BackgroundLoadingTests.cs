using EmbeddingService.Retrieval.Embedded;

namespace EmbeddingService.Retrieval.Tests;

/// <summary>With LoadCollectionsInBackground the store opens at once; a collection still loading is listed as such and answers Unavailable with a retry delay.</summary>
public sealed class BackgroundLoadingTests : IDisposable
{
    private const int Dimension = 32;
    private static readonly CollectionModel Model = new("vits14", "sha256:abc", "cls", "center-crop", 224, Dimension);
    private readonly TempDirectory _data = new();
    private readonly RecordingLogger _logger = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_loading_collection_answers_unavailable_with_retry_after_until_it_is_ready()
    {
        var vectors = TestVectors.Clustered(8000, Dimension, 20, seed: 1);
        await using (var store = await EmbeddedVectorStore.OpenAsync(_data.Path, _logger))
        {
            await store.CreateCollectionAsync("big", new CollectionSettings(Model, IndexKind.Hnsw));
            foreach (var chunk in vectors.Select((v, i) => new VectorPoint($"p{i}", v)).Chunk(2000)) await store.UpsertAsync("big", chunk);
        }
        // Without its graph file the collection rebuilds its graph at open: seconds of loading.
        File.Delete(Path.Combine(_data.Path, "collections", "big", GraphFile.FileName));

        await using (var store = await EmbeddedVectorStore.OpenAsync(_data.Path, _logger, new EmbeddedStoreOptions { LoadCollectionsInBackground = true }))
        {
            Assert.Equal(["big"], store.LoadingCollections);
            var listed = Assert.Single(await store.ListCollectionsAsync());
            Assert.Equal((CollectionState.Loading, Model, IndexKind.Hnsw), (listed.State, listed.Model, listed.Index));
            var search = await Assert.ThrowsAsync<RetrievalException>(() => store.SearchAsync("big", new SearchQuery(vectors[0], K: 1)));
            Assert.Equal(RetrievalError.Unavailable, search.Error);
            Assert.NotNull(search.RetryAfter);
            Assert.Contains("still loading", search.Message, StringComparison.Ordinal);
            Assert.Equal(RetrievalError.Unavailable, (await Assert.ThrowsAsync<RetrievalException>(() => store.GetCollectionAsync("big"))).Error);
            Assert.Equal(RetrievalError.Unavailable, (await Assert.ThrowsAsync<RetrievalException>(() => store.DeleteCollectionAsync("big"))).Error);
            Assert.Equal(RetrievalError.Unavailable, (await Assert.ThrowsAsync<RetrievalException>(() => store.CreateCollectionAsync("big", new CollectionSettings(Model, IndexKind.Hnsw)))).Error);
            // Other collections are served meanwhile.
            await store.CreateCollectionAsync("other", new CollectionSettings(Model, IndexKind.Exact));
            await store.UpsertAsync("other", [new VectorPoint("x", vectors[1])]);
            Assert.Equal("x", (await store.SearchAsync("other", new SearchQuery(vectors[1], K: 1)))[0].Id);

            await store.Loaded;

            Assert.Empty(store.LoadingCollections);
            Assert.Equal(8000, (await store.GetCollectionAsync("big"))!.Count);
            Assert.Equal("p5", (await store.SearchAsync("big", new SearchQuery(vectors[5], K: 1)))[0].Id);
        }
    }

    [Fact]
    public async Task Closing_the_store_while_it_loads_stops_the_load()
    {
        await using (var store = await EmbeddedVectorStore.OpenAsync(_data.Path, _logger))
        {
            await store.CreateCollectionAsync("big", new CollectionSettings(Model, IndexKind.Hnsw));
            await store.UpsertAsync("big", TestVectors.Clustered(8000, Dimension, 20, seed: 1).Select((v, i) => new VectorPoint($"p{i}", v)).ToArray());
        }
        File.Delete(Path.Combine(_data.Path, "collections", "big", GraphFile.FileName));

        var opened = await EmbeddedVectorStore.OpenAsync(_data.Path, _logger, new EmbeddedStoreOptions { LoadCollectionsInBackground = true });
        await opened.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        // Cancelled, not run to its end: the graph rebuild takes seconds, the close came at once.
        Assert.True(opened.Loaded.IsCanceled, $"the load ended {opened.Loaded.Status}");
        // Nothing half-loaded was saved: the next open rebuilds and serves all the points.
        await using var reopened = await EmbeddedVectorStore.OpenAsync(_data.Path, _logger);
        Assert.Equal(8000, (await reopened.GetCollectionAsync("big"))!.Count);
    }
}
