namespace EmbeddingService.Training.Runs.Spec;

/// <summary>
/// evaluation: the official k-NN evaluation of the result backbone on labelled folders (class sub-folders), at the end of
/// the run and every <see cref="EverySteps"/> iterations when set. Off when <see cref="Train"/> is not set.
/// </summary>
public sealed record EvaluationSpec
{
    public string? Train { get; init; }
    public string? Val { get; init; }
    public int? EverySteps { get; init; }

    /// <summary>Also evaluate the starting point (iteration 0, before any step): the baseline the run is measured against.</summary>
    public bool AtStart { get; init; }
    public int[] K { get; init; } = [10, 20, 100, 200];
    public double Temperature { get; init; } = 0.07;

    /// <summary>The center-crop size the evaluation images are preprocessed to (serving's center-crop policy); default: crops.global_size.</summary>
    public int? Resolution { get; init; }
}
