namespace EmbeddingService.Retrieval;

/// <summary>How every store lists a collection it cannot use (damaged, or not loaded yet), so that it stays visible instead of vanishing.</summary>
internal static class CorruptCollections
{
    /// <summary>The model of a corrupt collection whose own record of it cannot be read.</summary>
    private static readonly CollectionModel Unknown = new("unknown", "unknown", "unknown", "unknown", 0, 0);

    /// <param name="settings">What the collection was created with, when that can still be read.</param>
    public static CollectionInfo Listed(string name, string problem, CollectionSettings? settings = null, DateTimeOffset? createdAt = null) =>
        new(name, settings?.Model ?? Unknown, settings?.Index ?? IndexKind.Auto, 0, createdAt ?? DateTimeOffset.UnixEpoch)
        {
            State = CollectionState.Corrupt,
            Problem = problem,
        };

    /// <summary>A collection still loading: what its manifest says, when that could be read, and no points yet.</summary>
    public static CollectionInfo Loading(string name, CollectionSettings? settings, DateTimeOffset? createdAt) =>
        new(name, settings?.Model ?? Unknown, settings?.Index ?? IndexKind.Auto, 0, createdAt ?? DateTimeOffset.UnixEpoch) { State = CollectionState.Loading };
}
