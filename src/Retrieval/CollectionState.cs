namespace EmbeddingService.Retrieval;

/// <summary>Whether a listed collection can be used.</summary>
public enum CollectionState
{
    Ready,
    /// <summary>The store's files for it are damaged: every call on it but delete fails with <see cref="RetrievalError.StoreCorrupt"/>.</summary>
    Corrupt,
}
