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

    public override Tensor forward(Tensor tokens, IReadOnlyList<SequenceGroup> groups) =>
        is_grad_enabled() ? ForwardForTraining(tokens, groups) : ForwardInPlace(tokens, groups);

    private Tensor ForwardForTraining(Tensor tokens, IReadOnlyList<SequenceGroup> groups)
    {
        Tensor afterAttention;
        using (var normed = norm1.call(tokens))
        using (var attended = attn.call(normed, groups))
        using (var scaled = ls1?.call(attended) ?? attended.alias())
            afterAttention = tokens.add(scaled);
        using (afterAttention)
        using (var normed = norm2.call(afterAttention))
        using (var transformed = mlp.call(normed))
        using (var scaled = ls2?.call(transformed) ?? transformed.alias())
            return afterAttention.add(scaled);
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

    // A Scalar made by implicit conversion at the call is a native object the GC may finalize while the native
    // call still reads it (seen here as rare "toFloat" failures under load); this one lives for the process.
    private static readonly Scalar One = 1.0f.ToScalar();

    private static void AddScaled(Tensor sum, Tensor branch, LayerScale? scale)
    {
        if (scale is null) sum.add_(branch);
        else sum.addcmul_(branch, scale.Gamma, One);
    }
}
