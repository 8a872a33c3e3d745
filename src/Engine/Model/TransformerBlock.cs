using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>Pre-norm block: x + ls1(attn(norm1(x))), then x + ls2(ffn(norm2(x))).</summary>
public sealed class TransformerBlock : nn.Module<Tensor, IReadOnlyList<SequenceGroup>, Tensor>
{
#pragma warning disable IDE1006 // field names follow the official state dict
    private readonly LayerNorm norm1;
    private readonly Attention attn;
    private readonly LayerScale? ls1;
    private readonly LayerNorm norm2;
    private readonly nn.Module<Tensor, Tensor> mlp;
    private readonly LayerScale? ls2;
#pragma warning restore IDE1006

    public TransformerBlock(VitConfig config) : base(nameof(TransformerBlock))
    {
        norm1 = nn.LayerNorm(config.EmbedDim, config.LayerNormEps);
        attn = new Attention(config.EmbedDim, config.NumHeads, config.QkvBias, config.ProjBias);
        ls1 = config.LayerScale ? new LayerScale(config.EmbedDim, config.LayerScaleInit) : null;
        norm2 = nn.LayerNorm(config.EmbedDim, config.LayerNormEps);
        mlp = config.Ffn == FfnKind.SwiGlu
            ? new SwiGluFfn(config.EmbedDim, config.FfnHiddenDim, config.FfnBias)
            : new Mlp(config.EmbedDim, config.FfnHiddenDim, config.FfnBias);
        ls2 = config.LayerScale ? new LayerScale(config.EmbedDim, config.LayerScaleInit) : null;
        RegisterComponents();
    }

    /// <summary>Drop rate of this block's residual branches in training forwards (0: none).</summary>
    public double SampleDropRatio { get; private set; }

    private StochasticDepthMode _dropMode;
    private IStochasticDepthSampler? _sampler;

    internal void SetStochasticDepth(double rate, StochasticDepthMode mode, IStochasticDepthSampler? sampler)
    {
        if (rate is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(rate), rate, "a drop rate must be in [0, 1)");
        if (rate > 0 && sampler is null) throw new ArgumentNullException(nameof(sampler), "stochastic depth needs a sampler");
        (SampleDropRatio, _dropMode, _sampler) = (rate, mode, sampler);
    }

    public override Tensor forward(Tensor tokens, IReadOnlyList<SequenceGroup> groups)
    {
        if (!is_grad_enabled()) return ForwardInPlace(tokens, groups);
        if (!training || SampleDropRatio == 0) return ForwardForTraining(tokens, groups);
        return _dropMode == StochasticDepthMode.BatchSubset ? ForwardOnBatchSubsets(tokens, groups) : ForwardWithDropPath(tokens, groups);
    }

    private Tensor AttentionBranch(Tensor x, IReadOnlyList<SequenceGroup> groups)
    {
        using var normed = norm1.call(x);
        return attn.call(normed, groups);
    }

    private Tensor FfnBranch(Tensor x, IReadOnlyList<SequenceGroup> groups)
    {
        using var normed = norm2.call(x);
        return mlp.call(normed);
    }

    private Tensor ForwardOnBatchSubsets(Tensor tokens, IReadOnlyList<SequenceGroup> groups)
    {
        using var afterAttention = AddOnSubset(tokens, groups, AttentionBranch, ls1);
        return AddOnSubset(afterAttention, groups, FfnBranch, ls2);
    }

    /// <summary>
    /// x + (B / kept)·γ·branch(x[kept]) on the kept rows of every group, x elsewhere: the branch runs on the subset only.
    /// The B / kept factor is index_add's alpha, one add per group, so autograd keeps no extra scaled copy of the branch.
    /// </summary>
    private Tensor AddOnSubset(Tensor x, IReadOnlyList<SequenceGroup> groups, Func<Tensor, IReadOnlyList<SequenceGroup>, Tensor> branch, LayerScale? scale)
    {
        using var scope = NewDisposeScope();
        var rows = new List<Tensor>(groups.Count);
        var subsetGroups = new List<SequenceGroup>(groups.Count);
        long offset = 0;
        foreach (var group in groups)
        {
            if (group.KeyMask is not null) throw new InvalidOperationException("stochastic depth needs packed (unpadded) sequences");
            var kept = Math.Max((long)(group.Count * (1 - SampleDropRatio)), 1);
            var sequences = _sampler!.KeptSequences(group.Count, kept).to(x.device);
            var positions = arange(group.Length, device: x.device);
            rows.Add(sequences.Times(group.Length).Plus(group.Offset).unsqueeze(1).Plus(positions.unsqueeze(0)).flatten());
            subsetGroups.Add(new SequenceGroup(offset, group.Length, kept));
            offset += kept * group.Length;
        }
        var residual = branch(x.index_select(0, cat(rows, 0)), subsetGroups);
        if (scale is not null) residual = residual.mul(scale.Gamma);
        var sum = x;
        for (var g = 0; g < groups.Count; g++)
        {
            using var alpha = ((double)groups[g].Count / subsetGroups[g].Count).ToScalar();
            sum = sum.index_add(0, rows[g], residual.narrow(0, subsetGroups[g].Offset, subsetGroups[g].TokenCount), alpha);
        }
        return sum.MoveToOuterDisposeScope();
    }

    /// <summary>Classic DropPath: every branch is computed for all sequences, then zeroed per sequence (its own draw) and rescaled.</summary>
    private Tensor ForwardWithDropPath(Tensor tokens, IReadOnlyList<SequenceGroup> groups)
    {
        using var scope = NewDisposeScope();
        var attended = AttentionBranch(tokens, groups);
        var afterAttention = tokens.add((ls1?.call(attended) ?? attended).mul(DropPathMask(tokens, groups)), Scalars.One);
        var transformed = FfnBranch(afterAttention, groups);
        return afterAttention.add((ls2?.call(transformed) ?? transformed).mul(DropPathMask(tokens, groups)), Scalars.One).MoveToOuterDisposeScope();
    }

    /// <summary>[T, 1]: Bernoulli(1 − rate) / (1 − rate) per sequence, repeated over its tokens.</summary>
    private Tensor DropPathMask(Tensor tokens, IReadOnlyList<SequenceGroup> groups)
    {
        var keepProbability = 1 - SampleDropRatio;
        var perSequence = groups.Select(group =>
            _sampler!.KeepMask(group.Count, keepProbability).DividedBy(keepProbability).repeat_interleave(group.Length)).ToArray();
        return cat(perSequence, 0).to(tokens.dtype).to(tokens.device).unsqueeze(1);
    }

    private Tensor ForwardForTraining(Tensor tokens, IReadOnlyList<SequenceGroup> groups)
    {
        Tensor afterAttention;
        using (var attended = AttentionBranch(tokens, groups))
        using (var scaled = ls1?.call(attended) ?? attended.alias())
            afterAttention = tokens.add(scaled, Scalars.One);
        using (afterAttention)
        using (var transformed = FfnBranch(afterAttention, groups))
        using (var scaled = ls2?.call(transformed) ?? transformed.alias())
            return afterAttention.add(scaled, Scalars.One);
    }

    /// <summary>
    /// Without autograd nothing needs the intermediate sums, so both residuals accumulate into
    /// <paramref name="tokens"/> with LayerScale fused into the add (x += γ·y): two passes over [T, D]
    /// and two [T, D] allocations fewer per block. Returns a new handle to the updated tokens.
    /// </summary>
    private Tensor ForwardInPlace(Tensor tokens, IReadOnlyList<SequenceGroup> groups)
    {
        using (var normed = norm1.call(tokens))
        using (var attended = attn.call(normed, groups))
            AddScaled(tokens, attended, ls1);
        using (var normed = norm2.call(tokens))
        using (var transformed = mlp.call(normed))
            AddScaled(tokens, transformed, ls2);
        return tokens.alias();
    }

    private static void AddScaled(Tensor sum, Tensor branch, LayerScale? scale)
    {
        if (scale is null) sum.add_(branch, Scalars.One);
        else sum.addcmul_(branch, scale.Gamma, Scalars.One);
    }
}
