namespace EmbeddingService.Training.Evaluation;

/// <summary>Every (subset, try, k) result of a k-NN evaluation and their averages over the tries.</summary>
public sealed record KnnEvaluationResult(IReadOnlyList<KnnResult> Results, IReadOnlyList<KnnAverage> Averages) : IDisposable
{
    public void Dispose()
    {
        foreach (var result in Results) result.Dispose();
    }
}
