namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// A point in a collection log just past a committed group: its byte offset and the checksum of the frame that ends
/// there. The checksum tells a rewritten (compacted) log apart from the one a saved graph was built from, even where
/// a group happens to end at the same offset.
/// </summary>
internal readonly record struct LogPosition(long Offset, uint LastFrameCrc)
{
    /// <summary>Before the first record.</summary>
    public static LogPosition Start => default;
}
