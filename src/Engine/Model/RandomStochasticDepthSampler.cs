using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>Draws stochastic-depth choices from one CPU generator, so a seeded run (and its resume) repeats them.</summary>
public sealed class RandomStochasticDepthSampler(Generator generator) : IStochasticDepthSampler
{
    public Generator Generator { get; } = generator;

    public Tensor KeptSequences(long count, long keep)
    {
        using var permutation = randperm(count, generator: Generator);
        return permutation.narrow(0, 0, keep).clone();
    }

    public Tensor KeepMask(long count, double keepProbability)
    {
        using var uniform = rand([count], generator: Generator);
        return uniform.LessThan(keepProbability).to(float32);
    }
}
