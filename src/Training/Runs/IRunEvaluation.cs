using EmbeddingService.Engine.Model;

namespace EmbeddingService.Training.Runs;

/// <summary>Periodic evaluation of the backbone a run produces (the k-NN evaluation on labelled folders).</summary>
public interface IRunEvaluation
{
    /// <summary>Metric name → value (e.g. "knn/k20/top1"), for metrics.jsonl and the summary.</summary>
    IReadOnlyDictionary<string, double> Evaluate(DinoVisionTransformer backbone, CancellationToken cancellationToken);
}
