namespace EmbeddingService.Retrieval.Embedded;

/// <summary>Point ids to delete (ids that do not exist are ignored).</summary>
internal sealed record DeleteOperation(string[] Ids) : LogOperation;
