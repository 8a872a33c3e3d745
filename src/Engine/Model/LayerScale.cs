using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>Per-channel residual scaling (parameter <c>gamma</c>), as the official LayerScale.</summary>
public sealed class LayerScale : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // parameter names follow the official state dict
    private readonly Parameter gamma;
#pragma warning restore IDE1006

    public LayerScale(long dim, double initValue) : base(nameof(LayerScale))
    {
        gamma = new Parameter(ScalarArithmetic.Full([dim], initValue, float32));
        RegisterComponents();
    }

    public Tensor Gamma => gamma;

    public override Tensor forward(Tensor x) => x.mul(gamma);
}
