namespace EmbeddingService.Cli.Load;

/// <summary>One transport (REST or gRPC) to a running service's collections, for load-collections.</summary>
public interface ICollectionLoadClient : IAsyncDisposable
{
    /// <summary>Creates the collection and returns its dimension.</summary>
    Task<int> CreateAsync(string name, string index, CancellationToken cancellationToken);

    /// <summary>Serialises an upsert of these points now, so that sending it (the returned call) is all that is timed.</summary>
    Func<CancellationToken, Task> PrepareUpsert(string name, IReadOnlyList<(string Id, float[] Vector, int Group)> points);

    /// <summary>Searches by vector and returns the store's own time for it (the response's store_ms).</summary>
    Task<double> SearchAsync(string name, float[] vector, int k, CancellationToken cancellationToken);

    Task DeleteAsync(string name);
}
