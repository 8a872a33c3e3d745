namespace EmbeddingService.Cli.Evaluation;

/// <summary>How a retrieval benchmark runs: which copies, how many results per search, request batching, and the collection.</summary>
/// <param name="Collection">The collection to use; null makes a fresh eval-&lt;hex&gt; one.</param>
/// <param name="Keep">Leave the collection in place at the end (a collection the run did not create is always left).</param>
public sealed record RetrievalEvaluationSettings(
    IReadOnlyList<string> Transforms, int QueriesPerImage, int K, int Batch, int Seed, string? Collection, bool Keep);
