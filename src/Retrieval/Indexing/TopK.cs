namespace EmbeddingService.Retrieval.Indexing;

/// <summary>
/// The best <c>k</c> rows seen so far: a min-heap whose root is the worst kept row. Higher score is better; equal
/// scores are ordered by id (ordinal, smaller first) so results do not depend on storage order.
/// </summary>
internal sealed class TopK
{
    private readonly ScoredSlot[] _heap;
    private readonly Func<int, string> _idOf;

    public TopK(int k, Func<int, string> idOf)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        _heap = new ScoredSlot[k];
        _idOf = idOf;
    }

    public int Count { get; private set; }

    public bool IsFull => Count == _heap.Length;

    /// <summary>The score a row must reach to be considered (the worst kept score once full).</summary>
    public float Floor => IsFull ? _heap[0].Score : float.NegativeInfinity;

    /// <summary>Whether a row with this score and slot would be kept; cheap unless the score ties the floor.</summary>
    public bool WouldKeep(float score, int slot) => !IsFull || Better(new ScoredSlot(slot, score), _heap[0]);

    public void Add(float score, int slot)
    {
        var item = new ScoredSlot(slot, score);
        if (!IsFull)
        {
            _heap[Count] = item;
            SiftUp(Count++);
        }
        else if (Better(item, _heap[0]))
        {
            _heap[0] = item;
            SiftDown(0);
        }
    }

    /// <summary>The kept rows, in no particular order.</summary>
    public ReadOnlySpan<ScoredSlot> Kept => _heap.AsSpan(0, Count);

    /// <summary>The kept rows, best first.</summary>
    public ScoredSlot[] ToSortedArray()
    {
        var result = _heap.AsSpan(0, Count).ToArray();
        Array.Sort(result, (a, b) => Better(a, b) ? -1 : Better(b, a) ? 1 : 0);
        return result;
    }

    private bool Better(ScoredSlot a, ScoredSlot b) =>
        a.Score > b.Score || (a.Score == b.Score && a.Slot != b.Slot && string.CompareOrdinal(_idOf(a.Slot), _idOf(b.Slot)) < 0);

    private void SiftUp(int index)
    {
        while (index > 0)
        {
            var parent = (index - 1) / 2;
            if (!Better(_heap[parent], _heap[index])) break;
            (_heap[parent], _heap[index]) = (_heap[index], _heap[parent]);
            index = parent;
        }
    }

    private void SiftDown(int index)
    {
        while (true)
        {
            var worst = index;
            var left = 2 * index + 1;
            if (left < Count && Better(_heap[worst], _heap[left])) worst = left;
            if (left + 1 < Count && Better(_heap[worst], _heap[left + 1])) worst = left + 1;
            if (worst == index) return;
            (_heap[worst], _heap[index]) = (_heap[index], _heap[worst]);
            index = worst;
        }
    }
}
