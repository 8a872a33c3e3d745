using EmbeddingService.Retrieval.Qdrant;

namespace EmbeddingService.Retrieval.Tests;

/// <summary>
/// The store contract against a real Qdrant server, where QDRANT_URL names one (gRPC, e.g. http://localhost:6334;
/// QDRANT_API_KEY when it has a key). Each test gets a collection prefix of its own, and every collection under it
/// is deleted afterwards.
/// </summary>
public sealed class QdrantVectorStoreContractTests : VectorStoreContractTests, IAsyncLifetime
{
    private readonly string _prefix = $"contract_{Guid.NewGuid():N}"[..21] + "_";
    private QdrantStoreOptions? _options;

    protected override Task<IVectorStore> OpenStoreAsync()
    {
        var url = Environment.GetEnvironmentVariable("QDRANT_URL");
        Skip.If(string.IsNullOrEmpty(url), "QDRANT_URL is not set: the Qdrant contract runs where a Qdrant server is reachable");
        var apiKey = Environment.GetEnvironmentVariable("QDRANT_API_KEY");
        _options = new QdrantStoreOptions { Url = url!, ApiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey, CollectionPrefix = _prefix };
        return Task.FromResult<IVectorStore>(new QdrantVectorStore(_options));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (_options is not null)
        {
            await using var cleanup = new QdrantVectorStore(_options);
            foreach (var collection in await cleanup.ListCollectionsAsync())
                await cleanup.DeleteCollectionAsync(collection.Name);
        }
        await DisposeAsync();
    }
}
