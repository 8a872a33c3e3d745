namespace EmbeddingService.Retrieval.Embedded;

/// <summary>One change to a collection as written to its log: an <see cref="UpsertOperation"/> or a <see cref="DeleteOperation"/>.</summary>
internal abstract record LogOperation;
