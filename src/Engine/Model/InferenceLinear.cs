using EmbeddingService.Engine.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>
/// nn.Linear with the same parameters (<c>weight</c>, <c>bias</c>), whose forwards without autograd can run on
/// oneDNN (<see cref="OneDnn"/>) instead of libtorch's default CPU GEMM once <see cref="UseOneDnn"/> is set. Off by
/// default: training, its teacher forwards and the fixtures that pin them keep libtorch's own arithmetic.
/// </summary>
public sealed class InferenceLinear : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // parameter names follow the official state dict
    private readonly Parameter weight;
    private readonly Parameter? bias;
#pragma warning restore IDE1006

    public InferenceLinear(long inFeatures, long outFeatures, bool hasBias = true) : base(nameof(InferenceLinear))
    {
        // The same initial values as nn.Linear: its parameters are taken over, not re-drawn.
        using var template = nn.Linear(inFeatures, outFeatures, hasBias);
        weight = new Parameter(template.weight!.detach().clone());
        bias = hasBias ? new Parameter(template.bias!.detach().clone()) : null;
        RegisterComponents();
    }

    /// <summary>Run autograd-free forwards on oneDNN where it takes the input (CPU, fp32).</summary>
    public bool UseOneDnn { get; set; }

    /// <summary>[in, out] features.</summary>
    public (long In, long Out) Shape => (weight.shape[1], weight.shape[0]);

    public override Tensor forward(Tensor x) =>
        UseOneDnn && !is_grad_enabled() && OneDnn.Supports(x) && x.dtype == weight.dtype
            ? OneDnn.Linear(x, weight, bias)
            : nn.functional.linear(x, weight, bias);
}
