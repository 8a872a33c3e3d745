namespace EmbeddingService.Engine.Model;

/// <summary><paramref name="Count"/> sequences of <paramref name="Length"/> tokens each, contiguous in a packed [T, D] tensor from row <paramref name="Offset"/>.</summary>
public sealed record SequenceGroup(long Offset, long Length, long Count)
{
    public long TokenCount => Length * Count;
}
