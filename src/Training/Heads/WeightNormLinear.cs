using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Heads;

/// <summary>
/// A bias-free Linear under weight normalisation along its output rows: weight = weight_g · weight_v / ‖weight_v row‖₂,
/// the layer <c>torch.nn.utils.weight_norm(nn.Linear(..., bias=False))</c> makes, with its parameter names.
/// </summary>
public sealed class WeightNormLinear : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names follow the official state dict
    private readonly Parameter weight_g;
    private readonly Parameter weight_v;
#pragma warning restore IDE1006

    /// <param name="generator">The initialisation's random source; null draws from the global generator.</param>
    public WeightNormLinear(long inFeatures, long outFeatures, Generator? generator = null) : base(nameof(WeightNormLinear))
    {
        weight_v = new Parameter(empty(outFeatures, inFeatures));
        weight_g = new Parameter(ones(outFeatures, 1));
        using (no_grad())
        {
            // nn.Linear's default init, kaiming_uniform_(a=√5) = uniform(±1/√fan_in), which weight_norm keeps as the
            // direction (its magnitude is then weight_g).
            var bound = 1.0 / Math.Sqrt(inFeatures);
            weight_v.uniform_(-bound, bound, generator);
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var weight = weight_v * (weight_g / weight_v.norm(1, keepdim: true));
        return nn.functional.linear(input, weight).MoveToOuterDisposeScope();
    }
}
