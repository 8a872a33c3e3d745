namespace EmbeddingService.Retrieval;

/// <summary>Why a store call failed, in terms the API maps to problem codes and gRPC statuses.</summary>
public enum RetrievalError
{
    InvalidArgument,
    CollectionNotFound,
    CollectionExists,
    DimensionMismatch,
    ModelMismatch,
    /// <summary>The store's files are damaged in a way that cannot be repaired automatically.</summary>
    StoreCorrupt,
    /// <summary>The backend (Qdrant) cannot be reached or refused the call.</summary>
    Unavailable,
}
