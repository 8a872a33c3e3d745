using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>The random choices of stochastic depth; replaceable so that a test can give the subsets.</summary>
public interface IStochasticDepthSampler
{
    /// <summary>Which <paramref name="keep"/> of <paramref name="count"/> sequences a branch runs on (int64 [keep], CPU).</summary>
    Tensor KeptSequences(long count, long keep);

    /// <summary>Per-sequence keep decisions (float32 [count] of 0 and 1, CPU), each 1 with <paramref name="keepProbability"/>.</summary>
    Tensor KeepMask(long count, double keepProbability);
}
