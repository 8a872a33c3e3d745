using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>Pre-norm block: x + ls1(attn(norm1(x))), then x + ls2(ffn(norm2(x))).</summary>
public sealed class TransformerBlock : nn.Module<Tensor, IReadOnlyList<SequenceGroup>, Tensor>
{
#pragma warning disable IDE1006 // field names follow the official state dict
    private readonly LayerNorm norm1;
    private readonly Attention attn;
    private readonly LayerScale ls1;
    private readonly LayerNorm norm2;
    private readonly nn.Module<Tensor, Tensor> mlp;
    private readonly LayerScale ls2;
#pragma warning restore IDE1006

    public TransformerBlock(VitConfig config) : base(nameof(TransformerBlock))
    {
        norm1 = nn.LayerNorm(config.EmbedDim, config.LayerNormEps);
        attn = new Attention(config.EmbedDim, config.NumHeads);
        ls1 = new LayerScale(config.EmbedDim, config.LayerScaleInit);
        norm2 = nn.LayerNorm(config.EmbedDim, config.LayerNormEps);
        mlp = config.Ffn == FfnKind.SwiGlu
            ? new SwiGluFfn(config.EmbedDim, config.FfnHiddenDim)
            : new Mlp(config.EmbedDim, config.FfnHiddenDim);
        ls2 = new LayerScale(config.EmbedDim, config.LayerScaleInit);
        RegisterComponents();
    }

    public override Tensor forward(Tensor tokens, IReadOnlyList<SequenceGroup> groups) =>
        is_grad_enabled() ? ForwardForTraining(tokens, groups) : ForwardInPlace(tokens, groups);

    private Tensor ForwardForTraining(Tensor tokens, IReadOnlyList<SequenceGroup> groups)
    {
        Tensor afterAttention;
        using (var normed = norm1.call(tokens))
        using (var attended = attn.call(normed, groups))
        using (var scaled = ls1.call(attended))
            afterAttention = tokens.add(scaled);
        using (afterAttention)
        using (var normed = norm2.call(afterAttention))
        using (var transformed = mlp.call(normed))
        using (var scaled = ls2.call(transformed))
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
            tokens.addcmul_(attended, ls1.Gamma, 1);
        using (var normed = norm2.call(tokens))
        using (var transformed = mlp.call(normed))
            tokens.addcmul_(transformed, ls2.Gamma, 1);
        return tokens.alias();
    }
}
