using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Masking;

/// <summary>
/// One training batch: the global crops [n_global·n, C, H, W] and local crops [n_local·n, C, h, w] stacked
/// crop-major (rows 0..n-1 are crop 0 of images 0..n-1, then crop 1, ...), and the global crops' masks.
/// </summary>
public sealed record CollatedBatch(Tensor CollatedGlobalCrops, Tensor CollatedLocalCrops, MaskBatch Masks) : IDisposable
{
    /// <summary>This batch when it is on <paramref name="device"/>, else a copy there (its tensors in the current dispose scope).</summary>
    public CollatedBatch On(Device device) =>
        CollatedGlobalCrops.IsOn(device) ? this : new CollatedBatch(CollatedGlobalCrops.to(device), CollatedLocalCrops.to(device), Masks.On(device));

    public void Dispose()
    {
        CollatedGlobalCrops.Dispose();
        CollatedLocalCrops.Dispose();
        Masks.Dispose();
    }
}
