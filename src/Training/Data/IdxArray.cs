namespace EmbeddingService.Training.Data;

/// <summary>An unsigned-byte IDX array: its dimensions (outermost first) and its values in row-major order.</summary>
public sealed record IdxArray(IReadOnlyList<int> Dimensions, byte[] Values)
{
    /// <summary>The size of the first dimension: images or labels.</summary>
    public int Count => Dimensions[0];
}
