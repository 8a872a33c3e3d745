namespace EmbeddingService.Retrieval;

/// <summary>A collection as listed: its name, the model that made its vectors, its index, size and creation time, and whether it can be used.</summary>
public sealed record CollectionInfo(string Name, CollectionModel Model, IndexKind Index, long Count, DateTimeOffset CreatedAt)
{
    public CollectionState State { get; init; } = CollectionState.Ready;

    /// <summary>Why a <see cref="CollectionState.Corrupt"/> collection cannot be used (the file, relative to the store's data, and the byte offset); null when ready.</summary>
    public string? Problem { get; init; }
}
