using System.Text.Json;

namespace EmbeddingService.Training.Runs.Spec;

/// <summary>Reads an eval-knn spec as <see cref="RunSpecFile"/> reads a run spec: unknown fields refused, defaults completed, every field checked by its JSON path.</summary>
public static class KnnEvalSpecFile
{
    public static KnnEvalSpec Parse(string json)
    {
        var spec = RunSpecFile.Deserialize<KnnEvalSpec>(json);
        if (spec.Evaluation is null) throw new RunSpecException(["evaluation: must be an object, not null"]);
        var completed = spec with
        {
            Kind = spec.Kind ?? KnnEvalSpec.KindName,
            Evaluation = spec.Evaluation with { Resolution = spec.Evaluation.Resolution ?? KnnEvalSpec.DefaultResolution },
        };
        var problems = RunSpecValidator.Problems(completed);
        return problems.Count == 0 ? completed : throw new RunSpecException(problems);
    }

    /// <summary>The spec as JSON with every field present: the same spec always gives the same text.</summary>
    public static string Canonical(KnnEvalSpec spec) => JsonSerializer.Serialize(spec, RunSpecFile.JsonOptions);

    public static string Hash(KnnEvalSpec spec) => RunSpecFile.HashOf(Canonical(spec));
}
