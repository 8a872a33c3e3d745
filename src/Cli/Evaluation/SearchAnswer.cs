namespace EmbeddingService.Cli.Evaluation;

/// <summary>The ids a search ranked, best first; or, when the service answered this search with an error, its code.</summary>
public sealed record SearchAnswer(IReadOnlyList<string> Ids, string? Error);
