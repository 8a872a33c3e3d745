namespace EmbeddingService.Engine.Model;

/// <summary>
/// Stochastic depth of a student backbone: <paramref name="Rate"/> is the last block's; earlier blocks get
/// np.linspace(0, rate, depth) (the official decay rule) unless <paramref name="Uniform"/>.
/// </summary>
public sealed record StochasticDepth(double Rate, bool Uniform = false, StochasticDepthMode Mode = StochasticDepthMode.BatchSubset)
{
    public double RateOfBlock(int block, int depth)
    {
        if (Uniform || block == depth - 1) return depth == 1 && !Uniform ? 0 : Rate;
        return block * (Rate / (depth - 1));
    }
}
