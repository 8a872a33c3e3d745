using static TorchSharp.torch;

namespace EmbeddingService.Training.Evaluation;

/// <summary>The k most similar train rows of each query: similarities [Q, k] sorted descending and their train row indices [Q, k] (int64).</summary>
public sealed record Neighbors(Tensor Sims, Tensor Indices) : IDisposable
{
    public void Dispose()
    {
        Sims.Dispose();
        Indices.Dispose();
    }
}
