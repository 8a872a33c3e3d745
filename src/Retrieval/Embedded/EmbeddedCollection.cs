using System.Numerics.Tensors;
using EmbeddingService.Retrieval.Indexing;
using Microsoft.Extensions.Logging;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// One open collection: its points in memory (rebuilt from its log at open), the log that makes changes durable, and
/// an HNSW graph when its index kind calls for one. Searches share a read lock; applying a committed batch takes the
/// write lock, so a search sees a batch entirely or not at all. The graph is saved beside the log
/// (<see cref="GraphFile"/>) once <see cref="EmbeddedStoreOptions.GraphSaveAfterChanges"/> points changed, when writes
/// pause for <see cref="EmbeddedStoreOptions.GraphSaveWhenIdleFor"/>, at close, and right after it is (re)built; at
/// open it is loaded and only the points the log changed after it are re-added. A missing, stale or damaged file is
/// rebuilt from the log with a warning.
/// </summary>
internal sealed class EmbeddedCollection : IAsyncDisposable
{
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly PointTable _points;
    private readonly EmbeddedStoreOptions _options;
    private readonly ILogger _logger;
    private readonly CollectionFiles _files;
    private PointLog? _log;
    private SlotGraph? _graph;
    private long _logEntries;
    /// <summary>Points the graph changed by since it was last saved (or loaded).</summary>
    private long _unsavedGraphChanges;
    /// <summary>Where the replay at open ended: the position a graph saved before the log opens covers.</summary>
    private LogPosition _replayedTo;
    private bool _closed;

    private EmbeddedCollection(CollectionFiles files, CollectionManifest manifest, EmbeddedStoreOptions options, ILogger logger)
    {
        _files = files;
        Name = files.Name;
        Manifest = manifest;
        _options = options;
        _logger = logger;
        _points = new PointTable(manifest.Model.Dimension);
    }

    public string Name { get; }

    public CollectionManifest Manifest { get; }

    private CollectionModel Model => Manifest.Model;

    /// <summary>
    /// Opens the collection of <paramref name="manifest"/>: replays its log (cutting a torn tail), then, if it searches
    /// a graph, loads the saved one and re-adds what the log changed after it, or builds it.
    /// </summary>
    public static EmbeddedCollection Open(CollectionFiles files, CollectionManifest manifest, EmbeddedStoreOptions options, ILogger logger, CancellationToken cancellationToken = default)
    {
        PointLog.DeleteInterruptedRewrite(files);
        GraphFile.DeleteInterruptedSave(files);
        var collection = new EmbeddedCollection(files, manifest, options, logger);
        var (saved, problem) = manifest.Index == IndexKind.Exact ? (null, null) : collection.SavedGraphHeader();
        var tail = new LogTail(saved?.Covers);
        collection._replayedTo = LogReplay.Run(files, manifest.Model.Dimension, (operations, position) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            collection.Apply(operations);
            tail.Observe(operations, position);
        }, logger);
        if (collection.GraphDue) collection.RestoreGraph(saved, problem, tail, cancellationToken);
        collection._log = new PointLog(files, collection._replayedTo, collection.Apply, collection.AfterCommit, collection.SaveGraphIfChanged, options.GraphSaveWhenIdleFor);
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

    public ValueTask DisposeAsync() => CloseAsync(saveGraph: true);

    /// <summary>Stops the log writer, saves the graph if it changed since its last save (unless the collection is being deleted), and frees it.</summary>
    public async ValueTask CloseAsync(bool saveGraph)
    {
        if (_log is not null) await _log.DisposeAsync().ConfigureAwait(false);
        // The writer has stopped: nothing changes the graph any more.
        if (saveGraph) SaveGraphIfChanged();
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
        var slots = _graph!.Search(query.UnitVector, query.K);
        var hits = new List<ScoredSlot>(slots.Count);
        foreach (var slot in slots)
        {
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
            if (replaced) _graph?.Remove(slot);
            touched.Add(slot);
        }
        if (_graph is not null)
        {
            _graph.AddMany(_points.Vectors, touched, _options.Hnsw.EffectiveBuildThreads);
            _unsavedGraphChanges += upsert.Ids.Length;
        }
        _logEntries += upsert.Ids.Length;
        return upsert.Ids.Length;
    }

    private int ApplyDelete(DeleteOperation delete)
    {
        var deleted = 0;
        foreach (var id in delete.Ids)
        {
            if (!_points.TryDelete(id, out var slot)) continue;
            _graph?.Remove(slot);
            deleted++;
        }
        if (_graph is not null) _unsavedGraphChanges += deleted;
        _logEntries += delete.Ids.Length;
        return deleted;
    }

    /// <summary>Builds the graph from every live point; it is saved at the next opportunity (a rebuild is what the file saves).</summary>
    private void BuildGraph(CancellationToken cancellationToken = default)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var graph = new SlotGraph(Model.Dimension, _options.Hnsw);
        try
        {
            graph.AddMany(_points.Vectors, _points.LiveSlots().ToArray(), _options.Hnsw.EffectiveBuildThreads, cancellationToken);
        }
        catch
        {
            graph.Dispose();
            throw;
        }
        _graph = graph;
        _unsavedGraphChanges = Math.Max(1, _points.Count);
        _logger.LogInformation("Collection {Collection}: built its HNSW graph of {Count} points in {Seconds:F1} s", Name, _points.Count, started.Elapsed.TotalSeconds);
    }

    /// <summary>The saved graph's header, or why there is none that can be used.</summary>
    private (GraphFileHeader? Header, string? Problem) SavedGraphHeader()
    {
        if (!GraphFile.Exists(_files)) return (null, "it is missing");
        try
        {
            return (GraphFile.ReadHeader(_files), null);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return (null, Problem(e));
        }
    }

    /// <summary>At open, after the replay: the saved graph with the log's later changes re-added, else a rebuild (then saved).</summary>
    private void RestoreGraph(GraphFileHeader? saved, string? problem, LogTail tail, CancellationToken cancellationToken)
    {
        if (saved is null)
        {
            // A collection with an empty log has no graph to lose: building one is no news.
            if (_replayedTo.Offset > 0) WarnRebuilding(problem!);
        }
        else if (!tail.Reached)
        {
            WarnRebuilding($"it covers {_files.Shown(PointLog.FileName)} up to byte offset {saved.Covers.Offset}, which the log does not reach or reaches " +
                "with other records (it was cut or compacted after the graph was saved)");
        }
        else if (TryLoadGraph(saved, tail))
        {
            return;
        }
        BuildGraph(cancellationToken);
        SaveGraphIfChanged();
    }

    private bool TryLoadGraph(GraphFileHeader saved, LogTail tail)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        HnswGraph? loaded = null;
        try
        {
            (loaded, var keys) = GraphFile.Load(_files, saved, Model.Dimension, _options.Hnsw);
            var slotByKey = new Dictionary<ulong, int>(keys.Length);
            var attached = new HashSet<int>();
            foreach (var (key, id) in keys)
            {
                if (tail.ChangedIds.Contains(id)) loaded.Remove(key);
                else if (_points.TryGetSlot(id, out var slot) && attached.Add(slot)) slotByKey.Add(key, slot);
                else throw new InvalidDataException($"it holds point '{id}' {(attached.Contains(slot) ? "twice" : "which the log does not")}");
            }
            var readd = tail.ChangedIds.Select(id => _points.TryGetSlot(id, out var slot) ? slot : -1).Where(slot => slot >= 0).ToArray();
            if (slotByKey.Count + readd.Length != _points.Count)
                throw new InvalidDataException($"it holds {slotByKey.Count} of the {_points.Count - readd.Length} points the log had when it was saved");
            var graph = SlotGraph.Adopt(loaded, slotByKey, saved.NextKey);
            loaded = null;
            graph.AddMany(_points.Vectors, readd, _options.Hnsw.EffectiveBuildThreads);
            _graph = graph;
            _unsavedGraphChanges = tail.ChangedIds.Count;
            _logger.LogInformation("Collection {Collection}: loaded its HNSW graph of {Count} points from {File} and re-added {Changed} points the log changed since, in {Seconds:F1} s",
                Name, slotByKey.Count, _files.Shown(GraphFile.FileName), tail.ChangedIds.Count, started.Elapsed.TotalSeconds);
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            loaded?.Dispose();
            WarnRebuilding(Problem(e));
            return false;
        }
    }

    /// <summary>What is wrong with the graph file; an IOException's own message may hold the absolute path, so only its type is named.</summary>
    private static string Problem(Exception e) => e is InvalidDataException or InvalidOperationException ? e.Message : $"reading it failed ({e.GetType().Name})";

    private void WarnRebuilding(string problem) =>
        _logger.LogWarning("Collection {Collection}: {File} cannot be used: {Problem}; rebuilding the HNSW graph from the log", Name, _files.Shown(GraphFile.FileName), problem);

    /// <summary>
    /// Saves the graph if it changed since its last save. Runs where nothing changes the graph: on the log writer
    /// (after a commit, when idle), before it starts or after it stopped. Searches go on meanwhile. A failed save is
    /// logged and retried at the next opportunity; the graph in memory is unaffected.
    /// </summary>
    private void SaveGraphIfChanged()
    {
        if (_graph is null || _unsavedGraphChanges == 0) return;
        var started = System.Diagnostics.Stopwatch.StartNew();
        var position = _log?.Position ?? _replayedTo;
        try
        {
            GraphFile.Save(_files, _graph, Model.Dimension, position, _points.IdOf);
            _unsavedGraphChanges = 0;
            _logger.LogInformation("Collection {Collection}: saved its HNSW graph of {Count} points ({Bytes} bytes) in {Seconds:F1} s",
                Name, _points.Count, new FileInfo(_files.PathOf(GraphFile.FileName)).Length, started.Elapsed.TotalSeconds);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Collection {Collection}: saving its HNSW graph failed; it will be saved again later", Name);
        }
    }

    /// <summary>Runs on the log writer after a commit.</summary>
    private void AfterCommit()
    {
        CompactIfDue();
        if (_unsavedGraphChanges >= _options.GraphSaveAfterChanges) SaveGraphIfChanged();
    }

    /// <summary>Rewrites the log as the live points once dead entries dominate it.</summary>
    private void CompactIfDue()
    {
        var dead = _logEntries - _points.Count;
        if (dead < _options.CompactionMinimumDead || dead <= _points.Count * _options.CompactWhenDeadExceedsLiveBy) return;
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            // The saved graph covers a position of the log being replaced: it goes first, and the graph is saved again at once.
            GraphFile.Delete(_files);
            if (_graph is not null) _unsavedGraphChanges = Math.Max(1, _points.Count);
            // Only this thread changes the points, and it is busy here, so reading them needs no lock.
            _log!.Rewrite(LiveChunks());
            _logEntries = _points.Count;
            _logger.LogInformation("Collection {Collection}: compacted its log ({Dead} dead entries dropped, {Live} points kept, {Bytes} bytes) in {Seconds:F1} s",
                Name, dead, _points.Count, _log.Length, started.Elapsed.TotalSeconds);
            SaveGraphIfChanged();
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
