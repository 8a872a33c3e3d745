using EmbeddingService.Training.Runs;
using EmbeddingService.Training.Runs.Spec;

namespace EmbeddingService.Cli.Training;

/// <summary>The batch source and evaluation a spec asks for.</summary>
public static class RunBatchSources
{
    /// <summary>
    /// "synthetic" data, or an image folder through the multi-crop loader (ImageFolderDataset + MultiCropBatches,
    /// being built in src/Training/Data; wired here when it lands).
    /// </summary>
    public static IRunBatchSource For(RunSpec spec) =>
        spec.Data.Train == DataSpec.Synthetic
            ? new SyntheticBatchSource(spec)
            : throw new RunSpecException([$"data.train: image folders need the multi-crop data loader, which this build does not have yet; use \"{DataSpec.Synthetic}\" (got \"{spec.Data.Train}\")"]);

    /// <summary>The k-NN evaluation on evaluation.train / evaluation.val (KnnFolderEvaluation, with the data loader); null when not configured.</summary>
    public static IRunEvaluation? EvaluationFor(RunSpec spec) =>
        spec.Evaluation.Train is null
            ? null
            : throw new RunSpecException(["evaluation.train: k-NN evaluation on folders needs the data loader, which this build does not have yet; remove the evaluation section"]);
}
