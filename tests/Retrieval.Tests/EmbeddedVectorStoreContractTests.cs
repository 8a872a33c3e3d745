using EmbeddingService.Retrieval.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmbeddingService.Retrieval.Tests;

/// <summary>The contract suite against the embedded store, each test in its own temporary data directory.</summary>
public sealed class EmbeddedVectorStoreContractTests : VectorStoreContractTests, IDisposable
{
    private readonly TempDirectory _data = new();

    protected override async Task<IVectorStore> OpenStoreAsync() => await EmbeddedVectorStore.OpenAsync(_data.Path, NullLogger.Instance);

    public void Dispose() => _data.Dispose();
}
