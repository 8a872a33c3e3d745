using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// The default <see cref="IVectorStore"/>: collections kept in memory and made durable by an append-only,
/// checksummed log per collection under <c>{data}/collections/{name}/</c> (points.log, collection.json).
/// A write returns once fsynced. At open each log is replayed: a damaged tail is cut off into a quarantine file with a
/// warning; damage followed by intact records makes that collection (alone) report
/// <see cref="RetrievalError.StoreCorrupt"/> on every call, and be listed as <see cref="CollectionState.Corrupt"/>,
/// while the other collections open normally. Deleting a damaged collection is allowed and is the way to reset it.
/// With <see cref="EmbeddedStoreOptions.LoadCollectionsInBackground"/>, opening returns once the collections are found
/// and they load one by one afterwards, each listed as <see cref="CollectionState.Loading"/> and answering
/// <see cref="RetrievalError.Unavailable"/> (with a retry delay) until it is ready.
/// Messages name files relative to the data directory, never by their server path.
/// Arguments are not checked here: use it behind <see cref="ValidatingVectorStore"/>.
/// </summary>
public sealed class EmbeddedVectorStore : IVectorStore
{
    private const string CreatingPrefix = ".creating-";
    private const string DeletedPrefix = ".deleted-";

    private readonly string _dataDirectory;
    private readonly string _collectionsDirectory;
    private readonly EmbeddedStoreOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, EmbeddedCollection> _collections = new(StringComparer.Ordinal);
    /// <summary>Damaged collections as listed (<see cref="CollectionState.Corrupt"/>, with the problem).</summary>
    private readonly ConcurrentDictionary<string, CollectionInfo> _damaged = new(StringComparer.Ordinal);
    /// <summary>Collections found but not opened yet (<see cref="CollectionState.Loading"/>), with what their manifest says.</summary>
    private readonly ConcurrentDictionary<string, CollectionInfo> _loading = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _structure = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private Task _loadingTask = Task.CompletedTask;

    private EmbeddedVectorStore(string dataDirectory, EmbeddedStoreOptions options, ILogger logger)
    {
        _dataDirectory = Path.GetFullPath(dataDirectory);
        _collectionsDirectory = Path.Combine(_dataDirectory, "collections");
        _options = options;
        _logger = logger;
    }

    /// <summary>
    /// Opens (creating if needed) the store in <paramref name="dataDirectory"/>: removes what interrupted creates,
    /// deletes and compactions left behind, then replays every collection's log.
    /// </summary>
    public static Task<EmbeddedVectorStore> OpenAsync(string dataDirectory, ILogger logger, EmbeddedStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var store = new EmbeddedVectorStore(dataDirectory, options ?? new EmbeddedStoreOptions(), logger);
        return Task.Run(() =>
        {
            var found = store.Find(cancellationToken);
            if (store._options.LoadCollectionsInBackground)
                store._loadingTask = Task.Run(() => store.OpenAll(found, store._closing.Token), store._closing.Token);
            else
                store.OpenAll(found, cancellationToken);
            return store;
        }, cancellationToken);
    }

    /// <summary>Completes once every collection found at open is loaded (or found damaged); cancelled if the store is closed first.</summary>
    public Task Loaded => _loadingTask;

    public string Describe() => $"embedded ({_dataDirectory})";

    public IReadOnlyList<string> LoadingCollections => _loading.Keys.Order(StringComparer.Ordinal).ToArray();

    public async Task<CollectionInfo> CreateCollectionAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default)
    {
        await _structure.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_damaged.TryGetValue(name, out var damage)) throw Damaged(damage);
            if (_loading.ContainsKey(name)) throw StillLoading(name);
            if (_collections.TryGetValue(name, out var existing))
            {
                return StoreFailures.Differences(existing.Manifest.Settings, settings) is { } differences
                    ? throw StoreFailures.CollectionExists(name, differences)
                    : existing.Info();
            }
            var collection = CreateOnDisk(name, settings);
            _collections[name] = collection;
            return collection.Info();
        }
        finally
        {
            _structure.Release();
        }
    }

    public Task<CollectionInfo?> GetCollectionAsync(string name, CancellationToken cancellationToken = default) =>
        Answer(() => Find(name)?.Info());

    public Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<CollectionInfo>>(_collections.Values.Select(c => c.Info()).Concat(_damaged.Values).Concat(_loading.Values)
            .DistinctBy(c => c.Name, StringComparer.Ordinal).OrderBy(c => c.Name, StringComparer.Ordinal).ToArray());

    public async Task<bool> DeleteCollectionAsync(string name, CancellationToken cancellationToken = default)
    {
        await _structure.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_loading.ContainsKey(name)) throw StillLoading(name);
            var wasDamaged = _damaged.TryRemove(name, out _);
            _collections.TryRemove(name, out var collection);
            if (collection is not null) await collection.CloseAsync(saveGraph: false).ConfigureAwait(false);
            if (collection is null && !wasDamaged) return false;
            RemoveDirectory(Path.Combine(_collectionsDirectory, name));
            return true;
        }
        finally
        {
            _structure.Release();
        }
    }

    public async Task UpsertAsync(string collection, IReadOnlyList<VectorPoint> points, CancellationToken cancellationToken = default) =>
        await Require(collection).UpsertAsync(points, cancellationToken).ConfigureAwait(false);

    public Task<StoredPoint?> GetPointAsync(string collection, string id, CancellationToken cancellationToken = default) =>
        Answer(() => Require(collection).Get(id));

    public async Task<int> DeletePointsAsync(string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken = default) =>
        await Require(collection).DeleteAsync(ids, cancellationToken).ConfigureAwait(false);

    public Task<IReadOnlyList<SearchHit>> SearchAsync(string collection, SearchQuery query, CancellationToken cancellationToken = default) =>
        Answer(() => Require(collection).Search([query], batch: false)[0]);

    public Task<IReadOnlyList<IReadOnlyList<SearchHit>>> SearchBatchAsync(string collection, IReadOnlyList<SearchQuery> queries, CancellationToken cancellationToken = default) =>
        Answer(() => Require(collection).Search(queries, batch: true));

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        await _loadingTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _structure.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var collection in _collections.Values) await collection.DisposeAsync().ConfigureAwait(false);
            _collections.Clear();
        }
        finally
        {
            _structure.Release();
        }
    }

    /// <summary>
    /// Removes what interrupted creates and deletes left behind and lists the collections to open, each as
    /// <see cref="CollectionState.Loading"/> with its manifest's settings (a manifest that cannot be read is reported when the collection is opened).
    /// </summary>
    private List<CollectionFiles> Find(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_collectionsDirectory);
        var found = new List<CollectionFiles>();
        foreach (var directory in Directory.GetDirectories(_collectionsDirectory).Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(directory);
            if (name.StartsWith(CreatingPrefix, StringComparison.Ordinal) || name.StartsWith(DeletedPrefix, StringComparison.Ordinal))
            {
                _logger.LogInformation("Removing {Directory}, left by a collection create or delete that was interrupted", directory);
                Directory.Delete(directory, recursive: true);
            }
            else if (!CollectionNames.IsValid(name))
            {
                _logger.LogWarning("Ignoring {Directory}: not a collection name", directory);
            }
            else
            {
                var files = new CollectionFiles(_dataDirectory, name);
                found.Add(files);
                _loading[name] = Loading(files);
            }
        }
        return found;
    }

    private void OpenAll(List<CollectionFiles> found, CancellationToken cancellationToken)
    {
        foreach (var files in found)
        {
            try
            {
                OpenCollection(files, cancellationToken);
            }
            catch (Exception e) when (_options.LoadCollectionsInBackground && e is not OperationCanceledException)
            {
                // No caller to fail in the background: the collection is listed as unusable, the others still load.
                var problem = $"collection '{files.Name}' could not be opened ({e.GetType().Name}); the server log has the details";
                _damaged[files.Name] = CorruptCollections.Listed(files.Name, problem);
                _logger.LogError(e, "Collection {Collection} could not be opened: {Message}", files.Name, problem);
            }
            finally
            {
                _loading.TryRemove(files.Name, out _);
            }
        }
    }

    /// <summary>How a collection is listed while it loads: what its manifest says (or nothing, if it cannot be read yet), no points.</summary>
    private static CollectionInfo Loading(CollectionFiles files)
    {
        CollectionManifest? manifest = null;
        try
        {
            manifest = CollectionManifest.Read(files);
        }
        catch (Exception e) when (e is RetrievalException or IOException or UnauthorizedAccessException)
        {
            // Reported as damage when the collection is opened.
        }
        return CorruptCollections.Loading(files.Name, manifest?.Settings, manifest?.CreatedAt);
    }

    private void OpenCollection(CollectionFiles files, CancellationToken cancellationToken)
    {
        CollectionManifest? manifest = null;
        try
        {
            manifest = CollectionManifest.Read(files);
            var collection = EmbeddedCollection.Open(files, manifest, _options, _logger, cancellationToken);
            _collections[files.Name] = collection;
            _logger.LogInformation("Opened collection {Collection}: {Count} points ({Model})", files.Name, collection.Info().Count, manifest.Model.Describe());
        }
        catch (Exception e) when (e is RetrievalException or IOException or UnauthorizedAccessException)
        {
            // An IOException's message holds the absolute path: callers get its type, the server log all of it.
            var problem = e is RetrievalException { Error: RetrievalError.StoreCorrupt } corrupt
                ? corrupt.Message
                : $"collection '{files.Name}' cannot be opened ({e.GetType().Name}); the server log has the details";
            _damaged[files.Name] = CorruptCollections.Listed(files.Name, problem, manifest?.Settings, manifest?.CreatedAt);
            _logger.LogError(e, "Collection {Collection} is damaged and answers every call with StoreCorrupt until repaired or deleted: {Message}", files.Name, problem);
        }
    }

    /// <summary>Builds the collection in a temporary directory and renames it into place, so a crash never leaves half a collection.</summary>
    private EmbeddedCollection CreateOnDisk(string name, CollectionSettings settings)
    {
        var temp = Path.Combine(_collectionsDirectory, $"{CreatingPrefix}{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        var manifest = new CollectionManifest(CollectionManifest.CurrentFormat, settings.Model, settings.Index, DateTimeOffset.UtcNow);
        manifest.Write(temp);
        using (var log = new FileStream(Path.Combine(temp, PointLog.FileName), FileMode.CreateNew, FileAccess.Write))
            log.Flush(flushToDisk: true);
        DurableFiles.SyncDirectory(temp);
        var final = Path.Combine(_collectionsDirectory, name);
        Directory.Move(temp, final);
        DurableFiles.SyncDirectory(_collectionsDirectory);
        return EmbeddedCollection.Open(new CollectionFiles(_dataDirectory, name), manifest, _options, _logger);
    }

    /// <summary>Renames to a tombstone first (atomic: the collection is gone at once, even if the process dies mid-delete), then deletes.</summary>
    private void RemoveDirectory(string directory)
    {
        if (!Directory.Exists(directory)) return;
        var tombstone = Path.Combine(_collectionsDirectory, $"{DeletedPrefix}{Path.GetFileName(directory)}-{Guid.NewGuid():N}");
        Directory.Move(directory, tombstone);
        DurableFiles.SyncDirectory(_collectionsDirectory);
        Directory.Delete(tombstone, recursive: true);
    }

    private EmbeddedCollection? Find(string name)
    {
        if (_damaged.TryGetValue(name, out var damage)) throw Damaged(damage);
        if (_collections.TryGetValue(name, out var collection)) return collection;
        return _loading.ContainsKey(name) ? throw StillLoading(name) : null;
    }

    private EmbeddedCollection Require(string name) =>
        Find(name) ?? throw StoreFailures.CollectionNotFound(name);

    /// <summary>Runs synchronous work so that its failure faults the returned task, as the async methods' failures do.</summary>
    private static Task<T> Answer<T>(Func<T> work)
    {
        try
        {
            return Task.FromResult(work());
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    private static RetrievalException Damaged(CollectionInfo damaged) => new(RetrievalError.StoreCorrupt, damaged.Problem!);

    private static RetrievalException StillLoading(string name) =>
        new(RetrievalError.Unavailable, $"collection '{name}' is still loading (replaying its log, loading or building its graph); retry shortly") { RetryAfter = LoadingRetryAfter };

    /// <summary>The wait suggested to callers of a loading collection: short, as the store cannot tell how long a load still takes.</summary>
    private static readonly TimeSpan LoadingRetryAfter = TimeSpan.FromSeconds(2);
}
