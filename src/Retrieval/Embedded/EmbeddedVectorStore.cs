using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// The default <see cref="IVectorStore"/>: collections kept in memory and made durable by an append-only,
/// checksummed log per collection under <c>{data}/collections/{name}/</c> (points.log, collection.json).
/// A write returns once fsynced. At open each log is replayed: a torn tail is cut off with a warning; damage followed
/// by intact records makes that collection (alone) report <see cref="RetrievalError.StoreCorrupt"/> on every call
/// while the other collections open normally. Deleting a damaged collection is allowed and is the way to reset it.
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
    private readonly ConcurrentDictionary<string, RetrievalException> _damaged = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _structure = new(1, 1);

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
            store.Load(cancellationToken);
            return store;
        }, cancellationToken);
    }

    public string Describe() => $"embedded ({_dataDirectory})";

    public async Task<CollectionInfo> CreateCollectionAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default)
    {
        CollectionNames.Validate(name);
        ValidateSettings(settings);
        await _structure.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_damaged.TryGetValue(name, out var damage)) throw Damaged(damage);
            if (_collections.TryGetValue(name, out var existing))
            {
                var existingSettings = existing.Manifest.Settings;
                var mismatch = existingSettings.Model.MismatchWith(settings.Model);
                if (mismatch is null && existingSettings.Index == settings.Index) return existing.Info();
                throw new RetrievalException(RetrievalError.CollectionExists,
                    $"collection '{name}' exists with other settings: {mismatch ?? $"index {settings.Index} instead of {existingSettings.Index}"}");
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
        Task.FromResult<IReadOnlyList<CollectionInfo>>(_collections.Values.Select(c => c.Info()).OrderBy(c => c.Name, StringComparer.Ordinal).ToArray());

    public async Task<bool> DeleteCollectionAsync(string name, CancellationToken cancellationToken = default)
    {
        CollectionNames.Validate(name);
        await _structure.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wasDamaged = _damaged.TryRemove(name, out _);
            _collections.TryRemove(name, out var collection);
            if (collection is not null) await collection.DisposeAsync().ConfigureAwait(false);
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
        Answer(() => Require(collection).Search([query])[0]);

    public Task<IReadOnlyList<IReadOnlyList<SearchHit>>> SearchBatchAsync(string collection, IReadOnlyList<SearchQuery> queries, CancellationToken cancellationToken = default) =>
        Answer(() => Require(collection).Search(queries));

    public async ValueTask DisposeAsync()
    {
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

    private void Load(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_collectionsDirectory);
        foreach (var directory in Directory.GetDirectories(_collectionsDirectory))
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
                OpenCollection(name, directory);
            }
        }
    }

    private void OpenCollection(string name, string directory)
    {
        try
        {
            var collection = EmbeddedCollection.Open(directory, _options, _logger);
            _collections[name] = collection;
            _logger.LogInformation("Opened collection {Collection}: {Count} points ({Model})", name, collection.Info().Count, collection.Manifest.Model.Describe());
        }
        catch (Exception e) when (e is RetrievalException or IOException or UnauthorizedAccessException)
        {
            var damage = e as RetrievalException is { Error: RetrievalError.StoreCorrupt } corrupt
                ? corrupt
                : new RetrievalException(RetrievalError.StoreCorrupt, $"collection '{name}' in {directory} cannot be opened: {e.Message}", inner: e);
            _damaged[name] = damage;
            _logger.LogError(e, "Collection {Collection} is damaged and answers every call with StoreCorrupt until repaired or deleted: {Message}", name, damage.Message);
        }
    }

    /// <summary>Builds the collection in a temporary directory and renames it into place, so a crash never leaves half a collection.</summary>
    private EmbeddedCollection CreateOnDisk(string name, CollectionSettings settings)
    {
        var temp = Path.Combine(_collectionsDirectory, $"{CreatingPrefix}{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        new CollectionManifest(CollectionManifest.CurrentFormat, settings.Model, settings.Index, DateTimeOffset.UtcNow).Write(temp);
        using (var log = new FileStream(PointLog.PathIn(temp), FileMode.CreateNew, FileAccess.Write))
            log.Flush(flushToDisk: true);
        DurableFiles.SyncDirectory(temp);
        var final = Path.Combine(_collectionsDirectory, name);
        Directory.Move(temp, final);
        DurableFiles.SyncDirectory(_collectionsDirectory);
        return EmbeddedCollection.Open(final, _options, _logger);
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
        CollectionNames.Validate(name);
        if (_damaged.TryGetValue(name, out var damage)) throw Damaged(damage);
        return _collections.GetValueOrDefault(name);
    }

    private EmbeddedCollection Require(string name) =>
        Find(name) ?? throw new RetrievalException(RetrievalError.CollectionNotFound, $"collection '{name}' does not exist");

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

    private static RetrievalException Damaged(RetrievalException damage) => new(RetrievalError.StoreCorrupt, damage.Message, inner: damage);

    private static void ValidateSettings(CollectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var model = settings.Model ?? throw new RetrievalException(RetrievalError.InvalidArgument, "the collection settings name no model");
        if (model.Dimension is < 1 or > 65_536)
            throw new RetrievalException(RetrievalError.InvalidArgument, $"the model dimension must be between 1 and 65536, not {model.Dimension}");
        if (!Enum.IsDefined(settings.Index))
            throw new RetrievalException(RetrievalError.InvalidArgument, $"unknown index kind {settings.Index}");
    }
}
