namespace EmbeddingService.Engine.Model;

/// <summary>Where one image's tokens sit in a packed [T, D] tensor, and its patch grid.</summary>
public sealed record PackedSequence(long Offset, int GridHeight, int GridWidth, int NumRegisters)
{
    public int PatchCount => GridHeight * GridWidth;
    public long Length => 1 + NumRegisters + PatchCount;
}
