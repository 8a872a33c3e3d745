using System.Numerics.Tensors;
using EmbeddingService.Retrieval.Indexing;
using Microsoft.Extensions.Logging;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// One open collection: its points in memory (rebuilt from its log at open), the log that makes changes durable, and
/// an HNSW graph when its index kind calls for one. Searches share a read lock; applying a committed batch takes the
/// write lock, so a search sees a batch entirely or not at all.
/// </summary>
internal sealed class EmbeddedCollection : IAsyncDisposable
{
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly PointTable _points;
    private readonly EmbeddedStoreOptions _options;
    private readonly ILogger _logger;
    private PointLog? _log;
    private HnswGraph? _graph;
    private long _logEntries;
    private bool _closed;

    private EmbeddedCollection(CollectionFiles files, CollectionManifest manifest, EmbeddedStoreOptions options, ILogger logger)
    {
        Name = files.Name;
        Manifest = manifest;
        _options = options;
        _logger = logger;
        _points = new PointTable(manifest.Model.Dimension);
    }

    public string Name { get; }

    public CollectionManifest Manifest { get; }

    private CollectionModel Model => Manifest.Model;

    /// <summary>Opens the collection of <paramref name="manifest"/>: replays its log (cutting a torn tail) and builds its graph if due.</summary>
    public static EmbeddedCollection Open(CollectionFiles files, CollectionManifest manifest, EmbeddedStoreOptions options, ILogger logger)
    {
        PointLog.DeleteInterruptedRewrite(files);
        var collection = new EmbeddedCollection(files, manifest, options, logger);
        var intactLength = LogReplay.Run(files, manifest.Model.Dimension, operations => collection.Apply(operations), logger);
        if (collection.GraphDue) collection.BuildGraph();
        collection._log = new PointLog(files, intactLength, collection.Apply, collection.CompactIfDue);
        return collection;
    }

    public CollectionInfo Info()
    {
        _lock.EnterReadLock();
        try
        {
            return new CollectionInfo(Name, Model, Manifest.Index, _points.Count, Manifest.CreatedAt);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public async Task UpsertAsync(IReadOnlyList<VectorPoint> points, CancellationToken cancellationToken)
    {
        if (points.Count == 0) return;
        var operation = UpsertOperation.Of(points, Name, Model);
        cancellationToken.ThrowIfCancellationRequested();
        await AppendAsync(operation).ConfigureAwait(false);
    }

    public async Task<int> DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return 0;
        cancellationToken.ThrowIfCancellationRequested();
        return await AppendAsync(new DeleteOperation([.. ids])).ConfigureAwait(false);
    }

    public StoredPoint? Get(string id)
    {
        _lock.EnterReadLock();
        try
        {
            ThrowIfClosed();
            return _points.TryGetSlot(id, out var slot) ? new StoredPoint(id, _points.Vectors.Row(slot).ToArray(), _points.PayloadOf(slot)) : null;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Unfiltered queries use the graph when the index kind says so (Hnsw always; Auto at or above its threshold);
    /// filtered queries and the rest scan exactly, so a filter never loses matches the graph would have skipped.
    /// </summary>
    /// <param name="batch">Whether failures name the query's index (a batch search) or not (a single one).</param>
    public IReadOnlyList<IReadOnlyList<SearchHit>> Search(IReadOnlyList<SearchQuery> queries, bool batch)
    {
        var prepared = queries.Select((q, i) => PreparedQuery.From(q, batch ? i : null, Name, Model)).ToArray();
        _lock.EnterReadLock();
        try
        {
            ThrowIfClosed();
            var results = new IReadOnlyList<SearchHit>[prepared.Length];
            var exact = new List<int>();
            for (var i = 0; i < prepared.Length; i++)
            {
                if (prepared[i].Filter is null && UseGraph) results[i] = SearchGraph(prepared[i]);
                else exact.Add(i);
            }
            if (exact.Count > 0)
            {
                var scans = exact.Select(i => new ScanQuery(prepared[i].UnitVector, prepared[i].K, prepared[i].MinScore, AcceptFor(prepared[i].Filter))).ToArray();
                var found = ExactSearch.Run(_points.Vectors, scans, _points.IdOf, _options.EffectiveSearchThreads);
                for (var j = 0; j < exact.Count; j++) results[exact[j]] = found[j].Select(ToHit).ToArray();
            }
            return results;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_log is not null) await _log.DisposeAsync().ConfigureAwait(false);
        _lock.EnterWriteLock();
        try
        {
            _closed = true;
            _graph?.Dispose();
            _graph = null;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private bool UseGraph => _graph is not null && (Manifest.Index == IndexKind.Hnsw || _points.Count >= _options.AutoApproximateThreshold);

    private bool GraphDue => _graph is null && (Manifest.Index == IndexKind.Hnsw || (Manifest.Index == IndexKind.Auto && _points.Count >= _options.AutoApproximateThreshold));

    private async Task<int> AppendAsync(LogOperation operation)
    {
        var chunks = LogOperationCodec.Encode(operation, LogFrame.TargetBodyBytes);
        try
        {
            return await _log!.AppendAsync(operation, chunks).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            throw NotFound();
        }
    }

    private Func<int, bool> AcceptFor(PayloadFilter? filter) =>
        filter is null ? _points.IsLive : slot => _points.IsLive(slot) && PayloadFilterMatcher.Matches(filter, _points.PayloadOf(slot));

    private SearchHit ToHit(ScoredSlot hit) => new(_points.IdOf(hit.Slot), hit.Score, _points.PayloadOf(hit.Slot));

    private SearchHit[] SearchGraph(PreparedQuery query)
    {
        var keys = new ulong[query.K];
        var distances = new float[query.K];
        var found = _graph!.Search(query.UnitVector, keys, distances);
        var hits = new List<ScoredSlot>(found);
        for (var i = 0; i < found; i++)
        {
            var slot = (int)keys[i];
            if (!_points.IsLive(slot)) continue;
            var score = TensorPrimitives.Dot(_points.Vectors.Row(slot), query.UnitVector);
            if (score >= query.MinScore) hits.Add(new ScoredSlot(slot, score));
        }
        return hits
            .OrderByDescending(h => h.Score)
            .ThenBy(h => _points.IdOf(h.Slot), StringComparer.Ordinal)
            .Select(ToHit)
            .ToArray();
    }

    /// <summary>Applies operations that are on disk, in log order; one result per operation (points written or deleted).</summary>
    private int[] Apply(IReadOnlyList<LogOperation> operations)
    {
        var results = new int[operations.Count];
        _lock.EnterWriteLock();
        try
        {
            for (var i = 0; i < operations.Count; i++)
                results[i] = operations[i] switch
                {
                    UpsertOperation upsert => ApplyUpsert(upsert),
                    DeleteOperation delete => ApplyDelete(delete),
                    var other => throw new InvalidOperationException($"unknown operation {other.GetType().Name}"),
                };
            if (_log is not null && GraphDue) BuildGraph();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
        return results;
    }

    private int ApplyUpsert(UpsertOperation upsert)
    {
        var dimension = Model.Dimension;
        var touched = new HashSet<int>();
        for (var i = 0; i < upsert.Ids.Length; i++)
        {
            var slot = _points.Upsert(upsert.Ids[i], upsert.Vectors.AsSpan(i * dimension, dimension), upsert.Payloads[i], out var replaced);
            if (replaced) _graph?.Remove((ulong)slot);
            touched.Add(slot);
        }
        _graph?.AddMany(_points.Vectors, [.. touched], _options.Hnsw.EffectiveBuildThreads);
        _logEntries += upsert.Ids.Length;
        return upsert.Ids.Length;
    }

    private int ApplyDelete(DeleteOperation delete)
    {
        var deleted = 0;
        foreach (var id in delete.Ids)
        {
            if (!_points.TryDelete(id, out var slot)) continue;
            _graph?.Remove((ulong)slot);
            deleted++;
        }
        _logEntries += delete.Ids.Length;
        return deleted;
    }

    private void BuildGraph()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var graph = new HnswGraph(Model.Dimension, _options.Hnsw);
        graph.AddMany(_points.Vectors, _points.LiveSlots().ToArray(), _options.Hnsw.EffectiveBuildThreads);
        _graph = graph;
        _logger.LogInformation("Collection {Collection}: built its HNSW graph of {Count} points in {Seconds:F1} s", Name, _points.Count, started.Elapsed.TotalSeconds);
    }

    /// <summary>Runs on the log writer after a commit: rewrites the log as the live points once dead entries dominate it.</summary>
    private void CompactIfDue()
    {
        var dead = _logEntries - _points.Count;
        if (dead < _options.CompactionMinimumDead || dead <= _points.Count * _options.CompactWhenDeadExceedsLiveBy) return;
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            // Only this thread changes the points, and it is busy here, so reading them needs no lock.
            _log!.Rewrite(LiveChunks());
            _logEntries = _points.Count;
            _logger.LogInformation("Collection {Collection}: compacted its log ({Dead} dead entries dropped, {Live} points kept, {Bytes} bytes) in {Seconds:F1} s",
                Name, dead, _points.Count, _log.Length, started.Elapsed.TotalSeconds);
        }
        catch (IOException e)
        {
            _logger.LogError(e, "Collection {Collection}: compaction failed; the log is unchanged and will be compacted later", Name);
        }
    }

    private IEnumerable<byte[]> LiveChunks() =>
        _points.LiveSlots().Chunk(_options.CompactionPointsPerFrame).SelectMany(slots => LogOperationCodec.Encode(new UpsertOperation(
            slots.Select(_points.IdOf).ToArray(),
            slots.SelectMany(slot => _points.Vectors.Row(slot).ToArray()).ToArray(),
            slots.Select(_points.PayloadOf).ToArray()), LogFrame.TargetBodyBytes));

    private void ThrowIfClosed()
    {
        if (_closed) throw NotFound();
    }

    private RetrievalException NotFound() => StoreFailures.CollectionNotFound(Name);
}
