using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>
/// <paramref name="Count"/> sequences of <paramref name="Length"/> tokens each, contiguous in a packed [T, D] tensor
/// from row <paramref name="Offset"/>; <paramref name="KeyMask"/> (bool [Count, 1, 1, Length], true = real token)
/// when the sequences are padded.
/// </summary>
public sealed record SequenceGroup(long Offset, long Length, long Count, Tensor? KeyMask = null)
{
    public long TokenCount => Length * Count;
}
