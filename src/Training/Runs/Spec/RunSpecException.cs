namespace EmbeddingService.Training.Runs.Spec;

/// <summary>A run spec that cannot be used: each problem names its JSON path and the allowed values.</summary>
public sealed class RunSpecException(IReadOnlyList<string> problems)
    : ArgumentException("run spec: " + string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
