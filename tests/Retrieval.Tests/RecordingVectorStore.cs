namespace EmbeddingService.Retrieval.Tests;

/// <summary>A store that only counts the calls that reach it and answers with empty results: what a decorator lets through.</summary>
public sealed class RecordingVectorStore : IVectorStore
{
    private static readonly CollectionModel Model = new("vits14", "sha256:0", "cls", "center-crop", 224, 4);
    private int _calls;

    public int Calls => _calls;

    public string Describe() => "recording";

    public Task<CollectionInfo> CreateCollectionAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default) =>
        Reached(new CollectionInfo(name, settings.Model, settings.Index, 0, DateTimeOffset.UnixEpoch));

    public Task<CollectionInfo?> GetCollectionAsync(string name, CancellationToken cancellationToken = default) =>
        Reached<CollectionInfo?>(new CollectionInfo(name, Model, IndexKind.Auto, 0, DateTimeOffset.UnixEpoch));

    public Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken cancellationToken = default) => Reached<IReadOnlyList<CollectionInfo>>([]);

    public Task<bool> DeleteCollectionAsync(string name, CancellationToken cancellationToken = default) => Reached(true);

    public Task UpsertAsync(string collection, IReadOnlyList<VectorPoint> points, CancellationToken cancellationToken = default) => Reached(true);

    public Task<StoredPoint?> GetPointAsync(string collection, string id, CancellationToken cancellationToken = default) => Reached<StoredPoint?>(null);

    public Task<int> DeletePointsAsync(string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => Reached(0);

    public Task<IReadOnlyList<SearchHit>> SearchAsync(string collection, SearchQuery query, CancellationToken cancellationToken = default) =>
        Reached<IReadOnlyList<SearchHit>>([]);

    public Task<IReadOnlyList<IReadOnlyList<SearchHit>>> SearchBatchAsync(string collection, IReadOnlyList<SearchQuery> queries, CancellationToken cancellationToken = default) =>
        Reached<IReadOnlyList<IReadOnlyList<SearchHit>>>(queries.Select(_ => (IReadOnlyList<SearchHit>)[]).ToArray());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Task<T> Reached<T>(T result)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(result);
    }
}
