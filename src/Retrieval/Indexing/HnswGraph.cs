using Cloud.Unum.USearch;
using static EmbeddingService.Retrieval.Indexing.UsearchNative;

namespace EmbeddingService.Retrieval.Indexing;

/// <summary>
/// A USearch HNSW graph over unit vectors by inner product, keyed by the caller's numbers; distance = 1 − dot.
/// Adds and removes must not overlap searches (the owner holds a write lock); searches may run concurrently.
/// </summary>
internal sealed unsafe class HnswGraph : IDisposable
{
    private readonly IntPtr _index;
    private readonly int _dimension;
    private bool _disposed;

    public HnswGraph(int dimension, HnswParameters parameters)
    {
        _dimension = dimension;
        var options = new IndexOptions(MetricKind.Ip, IntPtr.Zero, ScalarKind.Float32, (ulong)dimension,
            (ulong)parameters.Connectivity, (ulong)parameters.ExpansionAdd, (ulong)parameters.ExpansionSearch, false);
        _index = usearch_init(ref options, out var error);
        Check(error, "init");
        Configure(parameters);
    }

    /// <summary>
    /// A graph read from <paramref name="length"/> bytes that <see cref="SaveTo"/> wrote (copied: the buffer may go
    /// once this returns). Fails when they do not hold a graph of this dimension and connectivity.
    /// </summary>
    public static HnswGraph Load(int dimension, HnswParameters parameters, byte* buffer, long length)
    {
        var graph = new HnswGraph(dimension, parameters);
        try
        {
            usearch_load_buffer(graph._index, buffer, (UIntPtr)length, out var error);
            Check(error, "load");
            var connectivity = (int)usearch_connectivity(graph._index, out error);
            Check(error, "connectivity");
            if (connectivity != parameters.Connectivity) throw new InvalidDataException($"the saved graph has connectivity {connectivity}, the settings {parameters.Connectivity}");
            graph.Configure(parameters);
            return graph;
        }
        catch
        {
            graph.Dispose();
            throw;
        }
    }

    /// <summary>Bytes <see cref="SaveTo"/> writes.</summary>
    public long SerializedLength
    {
        get
        {
            var length = usearch_serialized_length(_index, out var error);
            Check(error, "serialized length");
            return (long)length;
        }
    }

    /// <summary>Writes the graph (with its vectors) to <paramref name="length"/> = <see cref="SerializedLength"/> bytes at <paramref name="buffer"/>.</summary>
    public void SaveTo(byte* buffer, long length)
    {
        usearch_save_buffer(_index, buffer, (UIntPtr)length, out var error);
        Check(error, "save");
    }

    public long Count
    {
        get
        {
            var size = usearch_size(_index, out var error);
            Check(error, "size");
            return (long)size;
        }
    }

    /// <summary>Bytes the graph and its copy of the vectors occupy, as USearch counts them.</summary>
    public long MemoryBytes
    {
        get
        {
            var bytes = usearch_memory_usage(_index, out var error);
            Check(error, "memory usage");
            return (long)bytes;
        }
    }

    public void Add(ulong key, ReadOnlySpan<float> unitVector)
    {
        EnsureCapacity(Count + 1);
        AddReserved(key, unitVector);
    }

    /// <summary>Adds each row under its key on several threads; much faster than one by one.</summary>
    public void AddMany(VectorArena arena, IReadOnlyList<(ulong Key, int Slot)> rows, int threads, CancellationToken cancellationToken = default)
    {
        EnsureCapacity(Count + rows.Count);
        Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken },
            i => AddReserved(rows[i].Key, arena.Row(rows[i].Slot)));
    }

    public void Remove(ulong key)
    {
        usearch_remove(_index, key, out var error);
        Check(error, "remove");
    }

    /// <summary>Up to keys.Length nearest keys and their distances (1 − dot), nearest first; returns how many were found.</summary>
    public int Search(ReadOnlySpan<float> unitQuery, Span<ulong> keys, Span<float> distances)
    {
        if (unitQuery.Length != _dimension) throw new ArgumentException($"query has {unitQuery.Length} dims, the graph {_dimension}");
        fixed (float* q = unitQuery)
        fixed (ulong* k = keys)
        fixed (float* d = distances)
        {
            var found = usearch_search(_index, q, ScalarKind.Float32, (UIntPtr)Math.Min(keys.Length, distances.Length), k, d, out var error);
            Check(error, "search");
            return (int)found;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        usearch_free(_index, out _);
    }

    /// <summary>Thread counts and expansions: runtime settings, applied after a load too (the file keeps the ones it was built with).</summary>
    private void Configure(HnswParameters parameters)
    {
        var threads = (UIntPtr)Math.Max(parameters.EffectiveBuildThreads, Environment.ProcessorCount);
        usearch_change_threads_add(_index, threads, out var error);
        Check(error, "set add threads");
        usearch_change_threads_search(_index, threads, out error);
        Check(error, "set search threads");
        usearch_change_expansion_add(_index, (UIntPtr)parameters.ExpansionAdd, out error);
        Check(error, "set add expansion");
        usearch_change_expansion_search(_index, (UIntPtr)parameters.ExpansionSearch, out error);
        Check(error, "set search expansion");
    }

    private void AddReserved(ulong key, ReadOnlySpan<float> unitVector)
    {
        if (unitVector.Length != _dimension) throw new ArgumentException($"vector has {unitVector.Length} dims, the graph {_dimension}");
        fixed (float* v = unitVector)
        {
            usearch_add(_index, key, v, ScalarKind.Float32, out var error);
            Check(error, "add");
        }
    }

    /// <summary>USearch refuses adds beyond its reserved capacity; grow by doubling so inserts stay amortised O(1).</summary>
    private void EnsureCapacity(long needed)
    {
        var capacity = (long)usearch_capacity(_index, out var error);
        Check(error, "capacity");
        if (needed <= capacity) return;
        usearch_reserve(_index, (UIntPtr)Math.Max(needed, Math.Max(1024, capacity * 2)), out error);
        Check(error, "reserve");
    }
}
