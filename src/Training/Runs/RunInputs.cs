using EmbeddingService.Training.Runs.Spec;

namespace EmbeddingService.Training.Runs;

/// <summary>The batch source and the evaluation a spec names; both scan their folders at once, so bad data fails before a model is built.</summary>
public static class RunInputs
{
    public static IRunBatchSource BatchesFor(RunSpec spec) =>
        spec.Data.Train == DataSpec.Synthetic ? new SyntheticBatchSource(spec) : new ImageFolderBatchSource(spec);

    /// <summary>null when the spec names no evaluation set.</summary>
    public static IRunEvaluation? EvaluationFor(RunSpec spec) =>
        spec.Evaluation.Train is null ? null : new FolderKnnEvaluation(spec.Evaluation, spec.Model.PatchSize!.Value, spec.Execution.DataWorkers);
}
