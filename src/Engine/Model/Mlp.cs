using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>Linear, exact (erf) GELU, Linear; parameters <c>fc1</c>, <c>fc2</c>.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names follow the official state dict
    private readonly InferenceLinear fc1;
    private readonly InferenceLinear fc2;
#pragma warning restore IDE1006

    public Mlp(long dim, long hidden, bool bias = true) : base(nameof(Mlp))
    {
        fc1 = new InferenceLinear(dim, hidden, bias);
        fc2 = new InferenceLinear(hidden, dim, bias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var hidden = fc1.call(x);
        // In place when autograd is off: the hidden activations are the largest tensor of a block.
        using var activated = is_grad_enabled() ? nn.functional.gelu(hidden) : hidden.gelu_().alias();
        return fc2.call(activated);
    }
}
