namespace EmbeddingService.Retrieval;

/// <summary>
/// Any <see cref="IVectorStore"/> behind the one set of argument rules (<see cref="CollectionRequestRules"/>): a call
/// that breaks one fails here, with the same error and message whichever store is inside, and never reaches the
/// store. The stores themselves check only what needs their data (a collection's existence and dimension), so
/// callers use them through this decorator.
/// </summary>
public sealed class ValidatingVectorStore(IVectorStore inner, CollectionRequestLimits? limits = null) : IVectorStore
{
    private readonly CollectionRequestRules _rules = new(limits ?? new CollectionRequestLimits());

    public string Describe() => inner.Describe();

    public IReadOnlyList<string> LoadingCollections => inner.LoadingCollections;

    public async Task<CollectionInfo> CreateCollectionAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default)
    {
        CollectionRequestRules.CheckName(name);
        CollectionRequestRules.CheckSettings(settings);
        return await inner.CreateCollectionAsync(name, settings, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CollectionInfo?> GetCollectionAsync(string name, CancellationToken cancellationToken = default)
    {
        CollectionRequestRules.CheckName(name);
        return await inner.GetCollectionAsync(name, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken cancellationToken = default) =>
        inner.ListCollectionsAsync(cancellationToken);

    public async Task<bool> DeleteCollectionAsync(string name, CancellationToken cancellationToken = default)
    {
        CollectionRequestRules.CheckName(name);
        return await inner.DeleteCollectionAsync(name, cancellationToken).ConfigureAwait(false);
    }

    public async Task UpsertAsync(string collection, IReadOnlyList<VectorPoint> points, CancellationToken cancellationToken = default)
    {
        CollectionRequestRules.CheckName(collection);
        _rules.CheckUpsert(points);
        await inner.UpsertAsync(collection, points, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredPoint?> GetPointAsync(string collection, string id, CancellationToken cancellationToken = default)
    {
        CollectionRequestRules.CheckName(collection);
        CollectionRequestRules.CheckId(id);
        return await inner.GetPointAsync(collection, id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> DeletePointsAsync(string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        CollectionRequestRules.CheckName(collection);
        _rules.CheckDelete(ids);
        return await inner.DeletePointsAsync(collection, ids, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(string collection, SearchQuery query, CancellationToken cancellationToken = default)
    {
        CollectionRequestRules.CheckName(collection);
        _rules.CheckQuery(query);
        return await inner.SearchAsync(collection, query, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<IReadOnlyList<SearchHit>>> SearchBatchAsync(string collection, IReadOnlyList<SearchQuery> queries, CancellationToken cancellationToken = default)
    {
        CollectionRequestRules.CheckName(collection);
        _rules.CheckQueries(queries);
        return await inner.SearchBatchAsync(collection, queries, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
