namespace EmbeddingService.Retrieval.Indexing;

/// <summary>
/// Fixed-width float rows in slabs of about 16 MB: rows of a slab are contiguous (scans stream through memory),
/// and growing never copies what is already stored, so a million 384-dim rows need no 1.5 GB array.
/// Not thread-safe: the owner serialises writes against reads.
/// </summary>
internal sealed class VectorArena
{
    private const int FloatsPerSlab = 1 << 22;
    private readonly List<float[]> _slabs = [];

    public VectorArena(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Dimension = dimension;
        RowsPerSlab = Math.Max(64, FloatsPerSlab / dimension);
    }

    public int Dimension { get; }

    public int RowsPerSlab { get; }

    /// <summary>Rows in use: slots 0 .. RowCount-1.</summary>
    public int RowCount { get; private set; }

    public int SlabCount => _slabs.Count;

    public long AllocatedBytes => (long)_slabs.Count * RowsPerSlab * Dimension * sizeof(float);

    /// <summary>Appends a row and returns its slot.</summary>
    public int Append(ReadOnlySpan<float> row)
    {
        if (RowCount == _slabs.Count * RowsPerSlab)
            _slabs.Add(GC.AllocateUninitializedArray<float>(RowsPerSlab * Dimension));
        var slot = RowCount++;
        row.CopyTo(Row(slot));
        return slot;
    }

    public Span<float> Row(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)RowCount, nameof(slot));
        return _slabs[slot / RowsPerSlab].AsSpan(slot % RowsPerSlab * Dimension, Dimension);
    }

    /// <summary>The used rows of slab <paramref name="index"/>, contiguous, and the slot of its first row.</summary>
    public ReadOnlySpan<float> Slab(int index, out int firstSlot)
    {
        firstSlot = index * RowsPerSlab;
        var rows = Math.Min(RowsPerSlab, RowCount - firstSlot);
        return _slabs[index].AsSpan(0, rows * Dimension);
    }
}
