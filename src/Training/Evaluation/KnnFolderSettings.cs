using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Training.Evaluation;

/// <summary>
/// How <see cref="KnnFolderEvaluation"/> scores image folders: the official eval_knn's nb_knn and temperature, the
/// serving preprocessing (resize policy and decoder limits) and how features are batched.
/// </summary>
public sealed record KnnFolderSettings
{
    /// <summary>The official nb_knn.</summary>
    public IReadOnlyList<int> Ks { get; init; } = [10, 20, 100, 200];

    public double Temperature { get; init; } = 0.07;

    /// <summary>The serving default: center-crop 224 after resizing the shorter side to 256.</summary>
    public IResizePolicy Policy { get; init; } = ResizePolicies.Create(ResizePolicy.CenterCrop);

    public ImageLimits Limits { get; init; } = new();

    /// <summary>Images per backbone forward.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Threads that decode and preprocess a batch.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Ks is null || Ks.Count == 0 || Ks.Any(k => k < 1)) throw new ArgumentException($"k values must be positive, got {Describe(Ks)}", nameof(Ks));
        if (!(Temperature > 0)) throw new ArgumentException($"temperature must be positive, got {Temperature}", nameof(Temperature));
        if (Policy is null) throw new ArgumentException("a resize policy is required", nameof(Policy));
        if (BatchSize < 1) throw new ArgumentException($"batch size must be at least 1, got {BatchSize}", nameof(BatchSize));
        if (Workers < 1) throw new ArgumentException($"workers must be at least 1, got {Workers}", nameof(Workers));
    }

    private static string Describe(IReadOnlyList<int>? ks) => ks is null ? "none" : string.Join(",", ks);
}
