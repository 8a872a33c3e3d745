namespace EmbeddingService.Training.Runs.Spec;

/// <summary>
/// An eval-knn run: the official weighted k-NN evaluation (<see cref="FolderKnnEvaluation"/>) of one model on labelled
/// folders. The model is either <see cref="Model"/>, an id the caller resolves (the trainer worker's model registry),
/// or <see cref="Weights"/>, any backbone checkpoint the engine loads. <see cref="KnnEvalSpecFile"/> reads it.
/// </summary>
public sealed record KnnEvalSpec
{
    /// <summary>The spec's "kind" when given.</summary>
    public const string KindName = "eval-knn";
    public const int DefaultResolution = 224;

    public string? Kind { get; init; }
    public string? Model { get; init; }
    public string? Weights { get; init; }
    /// <summary>Attention heads of <see cref="Weights"/> when its width is not an official one and no sidecar says.</summary>
    public int? NumHeads { get; init; }
    /// <summary>train and val are required; every_steps and at_start belong to training runs; resolution defaults to <see cref="DefaultResolution"/>.</summary>
    public EvaluationSpec Evaluation { get; init; } = new();
    /// <summary>auto (CUDA when this build and machine have it, else the CPU), cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>libtorch intra-op threads; default: libtorch's choice.</summary>
    public int? Threads { get; init; }
    public int DataWorkers { get; init; } = 2;
}
