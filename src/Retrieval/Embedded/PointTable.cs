using System.Text.Json;
using EmbeddingService.Retrieval.Indexing;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// A collection's points in memory: unit vectors in an arena row ("slot") per point, with the id and payload of each
/// slot. Deleted slots are reused by later inserts. Not thread-safe: the collection's lock guards it.
/// </summary>
internal sealed class PointTable(int dimension)
{
    private readonly Dictionary<string, int> _slotById = new(StringComparer.Ordinal);
    private readonly List<string?> _ids = [];
    private readonly List<JsonElement?> _payloads = [];
    private readonly Stack<int> _freeSlots = new();

    public VectorArena Vectors { get; } = new(dimension);

    public int Count => _slotById.Count;

    /// <summary>Stores the point; <paramref name="replaced"/> says whether the slot held this id before.</summary>
    public int Upsert(string id, ReadOnlySpan<float> unitVector, JsonElement? payload, out bool replaced)
    {
        replaced = _slotById.TryGetValue(id, out var slot);
        if (!replaced)
        {
            if (_freeSlots.TryPop(out slot))
            {
                _ids[slot] = id;
            }
            else
            {
                slot = Vectors.Append(unitVector);
                _ids.Add(id);
                _payloads.Add(null);
            }
            _slotById[id] = slot;
        }
        unitVector.CopyTo(Vectors.Row(slot));
        _payloads[slot] = payload;
        return slot;
    }

    public bool TryDelete(string id, out int slot)
    {
        if (!_slotById.Remove(id, out slot)) return false;
        _ids[slot] = null;
        _payloads[slot] = null;
        _freeSlots.Push(slot);
        return true;
    }

    public bool TryGetSlot(string id, out int slot) => _slotById.TryGetValue(id, out slot);

    public bool IsLive(int slot) => _ids[slot] is not null;

    /// <summary>The id of a live slot; "" for a free one (only ever compared, then rejected as not live).</summary>
    public string IdOf(int slot) => _ids[slot] ?? "";

    public JsonElement? PayloadOf(int slot) => _payloads[slot];

    public IEnumerable<int> LiveSlots() => _slotById.Values;
}
