namespace EmbeddingService.Retrieval;

/// <summary>
/// Named collections of unit vectors with string ids and JSON payloads, searched by cosine similarity.
/// Every method is safe to call concurrently. A write that returns has been made durable (the embedded store
/// fsyncs before returning; Qdrant is called with wait=true). Failures the caller can act on are
/// <see cref="RetrievalException"/>s with a <see cref="RetrievalError"/>. The argument rules are applied once, above
/// every store, by <see cref="ValidatingVectorStore"/>: use a store through it.
/// </summary>
public interface IVectorStore : IAsyncDisposable
{
    /// <summary>A short description for logs and /v1/info (e.g. "embedded (/var/lib/embeddings)").</summary>
    string Describe();

    /// <summary>
    /// Collections the store is still opening (replaying a log, loading or building a graph): calls on them fail with
    /// <see cref="RetrievalError.Unavailable"/> and a <see cref="RetrievalException.RetryAfter"/> until they are ready.
    /// </summary>
    IReadOnlyList<string> LoadingCollections => [];

    /// <summary>
    /// Creates the collection. Creating one that exists with the same model and index is a no-op returning it;
    /// with different settings it fails with <see cref="RetrievalError.CollectionExists"/>.
    /// </summary>
    Task<CollectionInfo> CreateCollectionAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default);

    Task<CollectionInfo?> GetCollectionAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every collection, those the store cannot use included (<see cref="CollectionState.Corrupt"/>, with the problem).</summary>
    Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the collection and all its points; false when there was none.</summary>
    Task<bool> DeleteCollectionAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts or replaces points by id, all or nothing. Vectors are L2-normalised by the store; a vector of the
    /// wrong dimension, a zero or non-finite vector, a bad id or a payload that is not a JSON object fails the
    /// whole call with the offending index (<see cref="RetrievalException.Index"/>).
    /// </summary>
    Task UpsertAsync(string collection, IReadOnlyList<VectorPoint> points, CancellationToken cancellationToken = default);

    Task<StoredPoint?> GetPointAsync(string collection, string id, CancellationToken cancellationToken = default);

    /// <summary>Deletes the points that exist among <paramref name="ids"/>; returns how many did.</summary>
    Task<int> DeletePointsAsync(string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken = default);

    /// <summary>Best hits first (highest cosine similarity); ties broken by id so results are deterministic.</summary>
    Task<IReadOnlyList<SearchHit>> SearchAsync(string collection, SearchQuery query, CancellationToken cancellationToken = default);

    /// <summary>One result list per query, in order.</summary>
    Task<IReadOnlyList<IReadOnlyList<SearchHit>>> SearchBatchAsync(string collection, IReadOnlyList<SearchQuery> queries, CancellationToken cancellationToken = default);
}
