namespace EmbeddingService.Retrieval;

/// <summary>Whether a listed collection can be used.</summary>
public enum CollectionState
{
    Ready,
    /// <summary>The store is still opening it (replaying its log, loading or building its graph): calls on it fail with <see cref="RetrievalError.Unavailable"/> until then.</summary>
    Loading,
    /// <summary>The store's files for it are damaged: every call on it but delete fails with <see cref="RetrievalError.StoreCorrupt"/>.</summary>
    Corrupt,
}
