namespace EmbeddingService.Engine.Model;

/// <summary>How a training forward drops residual branches (stochastic depth).</summary>
public enum StochasticDepthMode
{
    /// <summary>
    /// The official nested-tensor rule (drop_add_residual_stochastic_depth_list): each branch runs only on a random
    /// subset of max(⌊B·(1 − rate)⌋, 1) sequences of every batch and its result is scaled by B / subset.
    /// Saves the dropped rows' compute and activations.
    /// </summary>
    BatchSubset,

    /// <summary>Classic DropPath: the branch runs on every sequence and is multiplied by a per-sequence Bernoulli(1 − rate) / (1 − rate).</summary>
    PerSampleMask,
}
