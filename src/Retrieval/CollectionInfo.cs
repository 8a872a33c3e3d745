namespace EmbeddingService.Retrieval;

/// <summary>A collection as listed: its name, the model that made its vectors, its index, size and creation time.</summary>
public sealed record CollectionInfo(string Name, CollectionModel Model, IndexKind Index, long Count, DateTimeOffset CreatedAt);
