namespace EmbeddingService.Cli.Evaluation;

/// <summary>What one query found: the rank of its original (null: not among the results), or the error the service answered.</summary>
public readonly record struct QueryOutcome(string Transform, int? Rank, string? Error);
