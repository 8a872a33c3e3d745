namespace EmbeddingService.Engine.IO;

/// <summary>A float32 array in C order with its shape, as stored in a .npy file.</summary>
public sealed record NpyArray(long[] Shape, float[] Data)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
