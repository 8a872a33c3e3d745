using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Model;
using EmbeddingService.Training.Data;
using EmbeddingService.Training.Evaluation;
using EmbeddingService.Training.Runs.Spec;

namespace EmbeddingService.Training.Runs;

/// <summary>
/// evaluation: the official k-NN evaluation of the run's result backbone, the val folder against the train folder, both
/// center-cropped to evaluation.resolution. Reported as "knn/k{k}/top1" and "knn/k{k}/top5" (fractions, not percent).
/// </summary>
public sealed class FolderKnnEvaluation : IRunEvaluation
{
    private readonly ImageFolderDataset _train;
    private readonly ImageFolderDataset _val;
    private readonly KnnFolderSettings _settings;

    /// <summary>Scans both folders and checks them (labels, classes, k) now, so a bad evaluation set fails before training.</summary>
    public FolderKnnEvaluation(EvaluationSpec spec, int patchSize, int workers)
    {
        _train = ImageFolderDataset.Scan(spec.Train!);
        _val = ImageFolderDataset.Scan(spec.Val!);
        _settings = new KnnFolderSettings
        {
            Ks = spec.K,
            Temperature = spec.Temperature,
            Policy = ResizePolicies.Create(ResizePolicy.CenterCrop, spec.Resolution!.Value, patchSize: patchSize),
            Workers = workers,
        };
        KnnFolderEvaluation.Check(_train, _val, _settings);
    }

    /// <summary>Scans and checks the folders of <paramref name="spec"/> (labels, classes, k) without a model: before a job is queued.</summary>
    /// <exception cref="DatasetException">A folder is missing, empty or unreadable.</exception>
    /// <exception cref="ArgumentException">The val classes, k or the temperature do not fit the train set.</exception>
    public static void Check(EvaluationSpec spec) =>
        KnnFolderEvaluation.Check(ImageFolderDataset.Scan(spec.Train!), ImageFolderDataset.Scan(spec.Val!),
            new KnnFolderSettings { Ks = spec.K, Temperature = spec.Temperature });

    public IReadOnlyDictionary<string, double> Evaluate(DinoVisionTransformer backbone, CancellationToken cancellationToken)
    {
        using var result = KnnFolderEvaluation.Evaluate(backbone, _train, _val, _settings, cancellationToken);
        var metrics = new Dictionary<string, double>();
        foreach (var knn in result.Results)
        {
            metrics[$"knn/k{knn.K}/top1"] = knn.Top1;
            if (knn.Top5 is { } top5) metrics[$"knn/k{knn.K}/top5"] = top5;
        }
        return metrics;
    }
}
