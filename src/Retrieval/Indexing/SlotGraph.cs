namespace EmbeddingService.Retrieval.Indexing;

/// <summary>
/// A collection's HNSW graph addressed by arena slot. The graph's own keys are numbers of their own, never reused,
/// mapped to slots here: slots are an in-memory layout (a restart that replays a compacted log lays points out
/// anew), keys are what a saved graph keeps, so a graph loaded at restart is re-attached to the new slots by point id.
/// Same threading rule as <see cref="HnswGraph"/>: changes under the owner's write lock, searches concurrent.
/// </summary>
internal sealed class SlotGraph : IDisposable
{
    private readonly Dictionary<ulong, int> _slotByKey;
    private readonly Dictionary<int, ulong> _keyBySlot;

    public SlotGraph(int dimension, HnswParameters parameters) : this(new HnswGraph(dimension, parameters), [], 0)
    {
    }

    private SlotGraph(HnswGraph graph, Dictionary<ulong, int> slotByKey, ulong nextKey)
    {
        Graph = graph;
        _slotByKey = slotByKey;
        _keyBySlot = slotByKey.ToDictionary(pair => pair.Value, pair => pair.Key);
        NextKey = nextKey;
    }

    /// <summary>Takes over a loaded graph whose keys (all of them, none twice per slot) map to the given slots.</summary>
    public static SlotGraph Adopt(HnswGraph graph, Dictionary<ulong, int> slotByKey, ulong nextKey) => new(graph, slotByKey, nextKey);

    public HnswGraph Graph { get; }

    /// <summary>The key the next added row gets; every key in use is below it.</summary>
    public ulong NextKey { get; private set; }

    /// <summary>The graph's keys and the slot each stands for.</summary>
    public IReadOnlyDictionary<ulong, int> SlotByKey => _slotByKey;

    /// <summary>Adds the rows of <paramref name="slots"/> (none of them in the graph) on several threads.</summary>
    public void AddMany(VectorArena arena, IReadOnlyCollection<int> slots, int threads, CancellationToken cancellationToken = default)
    {
        var rows = new List<(ulong, int)>(slots.Count);
        foreach (var slot in slots)
        {
            var key = NextKey++;
            _slotByKey.Add(key, slot);
            _keyBySlot.Add(slot, key);
            rows.Add((key, slot));
        }
        Graph.AddMany(arena, rows, threads, cancellationToken);
    }

    /// <summary>Takes the slot's row out of the graph, if it is in.</summary>
    public void Remove(int slot)
    {
        if (!_keyBySlot.Remove(slot, out var key)) return;
        _slotByKey.Remove(key);
        Graph.Remove(key);
    }

    /// <summary>The slots of up to <paramref name="k"/> nearest rows, nearest first.</summary>
    public List<int> Search(ReadOnlySpan<float> unitQuery, int k)
    {
        var keys = new ulong[k];
        var distances = new float[k];
        var found = Graph.Search(unitQuery, keys, distances);
        var slots = new List<int>(found);
        for (var i = 0; i < found; i++)
            if (_slotByKey.TryGetValue(keys[i], out var slot)) slots.Add(slot);
        return slots;
    }

    public void Dispose() => Graph.Dispose();
}
