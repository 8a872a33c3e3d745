namespace EmbeddingService.Training.Evaluation;

/// <summary>A k of one n_per_class setting with its accuracies averaged over the tries: what eval_knn reports.</summary>
public sealed record KnnAverage(string NPerClass, int K, double Top1, double? Top5)
{
    /// <summary>"full k=10", "20 per class k=20": the official result key.</summary>
    public string Key => $"{NPerClass} k={K}";
}
