using EmbeddingService.Retrieval;
using EmbeddingService.Retrieval.Embedded;

namespace EmbeddingService.Api.Retrieval;

/// <summary>Opens the store that <see cref="RetrievalOptions.Store"/> names.</summary>
public static class VectorStores
{
    public static async Task<IVectorStore> OpenAsync(RetrievalOptions options, string contentRoot, ILoggerFactory loggers) => options.Store switch
    {
        RetrievalOptions.EmbeddedStore => await EmbeddedVectorStore.OpenAsync(Path.GetFullPath(options.DataDirectory, contentRoot), loggers.CreateLogger<EmbeddedVectorStore>()),
        _ => throw new InvalidOperationException($"Retrieval:Store '{options.Store}' is not supported"),
    };
}
