using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>forward_features of a batch of equally sized images, in the official shapes.</summary>
public sealed class BatchFeatures(Tensor cls, Tensor registers, Tensor patches, Tensor prenorm, int gridHeight, int gridWidth) : IDisposable
{
    /// <summary>[N, D].</summary>
    public Tensor Cls { get; } = cls;
    /// <summary>[N, R, D].</summary>
    public Tensor Registers { get; } = registers;
    /// <summary>[N, P, D].</summary>
    public Tensor Patches { get; } = patches;
    /// <summary>[N, 1 + R + P, D].</summary>
    public Tensor Prenorm { get; } = prenorm;
    public int GridHeight { get; } = gridHeight;
    public int GridWidth { get; } = gridWidth;

    public void Dispose()
    {
        Cls.Dispose();
        Registers.Dispose();
        Patches.Dispose();
        Prenorm.Dispose();
    }
}
