using EmbeddingService.Training.Runs.Spec;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>What a job runs: a training run (pretrain, distill) or the kNN evaluation of a model (eval-knn).</summary>
public enum JobKind
{
    Pretrain,
    Distill,
    EvalKnn,
}

/// <summary>The job store's names of the kinds (as stored and logged) and the training run kind of each.</summary>
public static class JobKinds
{
    public static string Name(JobKind kind) => kind switch
    {
        JobKind.Pretrain => RunSpecFile.Name(RunKind.Pretrain),
        JobKind.Distill => RunSpecFile.Name(RunKind.Distill),
        JobKind.EvalKnn => "eval-knn",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static JobKind Parse(string name) => Enum.GetValues<JobKind>().First(kind => Name(kind) == name);

    /// <summary>The training run a job of <paramref name="kind"/> executes; null for eval-knn.</summary>
    public static RunKind? Run(JobKind kind) => kind switch
    {
        JobKind.Pretrain => RunKind.Pretrain,
        JobKind.Distill => RunKind.Distill,
        _ => null,
    };
}
