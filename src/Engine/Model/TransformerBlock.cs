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

    public override Tensor forward(Tensor tokens, IReadOnlyList<SequenceGroup> groups)
    {
        Tensor afterAttention;
        using (var normed = norm1.forward(tokens))
        using (var attended = attn.forward(normed, groups))
        using (var scaled = ls1.forward(attended))
            afterAttention = tokens.add(scaled);
        using (afterAttention)
        using (var normed = norm2.forward(afterAttention))
        using (var transformed = mlp.forward(normed))
        using (var scaled = ls2.forward(transformed))
            return afterAttention.add(scaled);
    }
}
