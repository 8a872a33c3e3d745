using static TorchSharp.torch;

namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// One image's DINOv2 views: two global and N local normalised float32 [3, S, S] tensors, and the draws that made
/// them (global 1, global 2, then the locals). The teacher sees the same global tensors. Owns the tensors.
/// </summary>
public sealed class DinoCrops(IReadOnlyList<Tensor> globalCrops, IReadOnlyList<Tensor> localCrops, IReadOnlyList<CropDraws> draws) : IDisposable
{
    public IReadOnlyList<Tensor> GlobalCrops { get; } = globalCrops;

    public IReadOnlyList<Tensor> LocalCrops { get; } = localCrops;

    public IReadOnlyList<CropDraws> Draws { get; } = draws;

    public void Dispose()
    {
        foreach (var crop in GlobalCrops.Concat(LocalCrops))
            crop.Dispose();
    }
}
