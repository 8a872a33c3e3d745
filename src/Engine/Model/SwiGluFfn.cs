using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>SwiGLU feed-forward of ViT-g: fused <c>w12</c> (gate and value), SiLU(gate)·value, then <c>w3</c>.</summary>
public sealed class SwiGluFfn : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names follow the official state dict
    private readonly InferenceLinear w12;
    private readonly InferenceLinear w3;
#pragma warning restore IDE1006

    public SwiGluFfn(long dim, long hidden, bool bias = true) : base(nameof(SwiGluFfn))
    {
        w12 = new InferenceLinear(dim, 2 * hidden, bias);
        w3 = new InferenceLinear(hidden, dim, bias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var fused = w12.call(x);
        var halves = fused.chunk(2, -1);
        using var gate = halves[0];
        using var value = halves[1];
        using var activated = nn.functional.silu(gate);
        using var product = activated.mul(value);
        return w3.call(product);
    }
}
