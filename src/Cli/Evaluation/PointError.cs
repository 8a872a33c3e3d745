namespace EmbeddingService.Cli.Evaluation;

/// <summary>A point the service did not upsert: its id and the service's error code and detail.</summary>
public sealed record PointError(string Id, string Code, string Detail);
