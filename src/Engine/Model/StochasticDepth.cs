namespace EmbeddingService.Engine.Model;

/// <summary>
/// Stochastic depth of a student backbone: <paramref name="Rate"/> is the last block's; earlier blocks get
/// np.linspace(0, rate, depth) (the official decay rule) unless <paramref name="Uniform"/>.
/// </summary>
public sealed record StochasticDepth(double Rate, bool Uniform = false, StochasticDepthMode Mode = StochasticDepthMode.BatchSubset)
{
    public double RateOfBlock(int block, int depth)
    {
        if (Uniform) return Rate;
        if (depth == 1) return 0;
        // numpy's linspace sets its last point to the end value exactly.
        return block == depth - 1 ? Rate : block * (Rate / (depth - 1));
    }
}
