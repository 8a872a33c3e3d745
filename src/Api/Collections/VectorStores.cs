using EmbeddingService.Retrieval;
using EmbeddingService.Retrieval.Embedded;
using EmbeddingService.Retrieval.Qdrant;

namespace EmbeddingService.Api.Collections;

/// <summary>
/// Opens the store that <see cref="RetrievalOptions.Store"/> names, behind <see cref="ValidatingVectorStore"/>: the
/// argument rules (names, ids, vectors, k, thresholds, filters, batch sizes) are checked once, above either store.
/// </summary>
public static class VectorStores
{
    public static async Task<IVectorStore> OpenAsync(RetrievalOptions options, string contentRoot, ILoggerFactory loggers) =>
        new ValidatingVectorStore(await OpenStoreAsync(options, contentRoot, loggers), new CollectionRequestLimits
        {
            // A search by id asks the store for one more hit (the point itself is left out).
            MaxK = options.MaxK + 1,
            MaxPointsPerUpsert = options.MaxPointsPerRequest,
            MaxQueriesPerBatch = options.MaxSearchesPerRequest,
        });

    private static async Task<IVectorStore> OpenStoreAsync(RetrievalOptions options, string contentRoot, ILoggerFactory loggers) => options.Store switch
    {
        // Collections load in the background: one still replaying its log answers 503 store_unavailable, the others serve.
        RetrievalOptions.EmbeddedStore => await EmbeddedVectorStore.OpenAsync(options.FullDataDirectory(contentRoot), loggers.CreateLogger<EmbeddedVectorStore>(),
            new EmbeddedStoreOptions
            {
                LoadCollectionsInBackground = true,
                SearchThreads = options.SearchThreads,
                GraphSaveAfterChanges = options.GraphSaveAfterChanges,
                GraphSaveWhenIdleFor = TimeSpan.FromSeconds(options.GraphSaveIdleSeconds),
            }),
        RetrievalOptions.QdrantStore => await QdrantAsync(options.Qdrant, loggers),
        _ => throw new InvalidOperationException($"Retrieval:Store '{options.Store}' is not supported"),
    };

    /// <summary>Opens a Qdrant store and lists its collections once, so an unreachable server fails start-up.</summary>
    private static async Task<IVectorStore> QdrantAsync(QdrantStoreOptions options, ILoggerFactory loggers)
    {
        var store = new QdrantVectorStore(options, loggers);
        try
        {
            await store.ListCollectionsAsync();
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }
}
