using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Heads;

/// <summary>
/// The DINO / iBOT projection head (dinov2 layers/dino_head.py): an MLP down to a bottleneck (<c>mlp</c>, GELU
/// between Linears), L2 normalisation, then a weight-normalised bias-free layer of outDim prototypes (<c>last_layer</c>).
/// </summary>
public sealed class DinoHead : nn.Module<Tensor, Tensor>
{
    private const double NormalizeEps = 1e-12;

#pragma warning disable IDE1006 // field names follow the official state dict
    private readonly nn.Module<Tensor, Tensor> mlp;
    private readonly WeightNormLinear last_layer;
#pragma warning restore IDE1006

    /// <param name="generator">The initialisation's random source; null draws from the global generator, which other
    /// threads share, so a seeded run passes its own.</param>
    public DinoHead(long inDim, long outDim, long hiddenDim = 2048, long bottleneckDim = 256, int nlayers = 3, bool useBn = false, bool mlpBias = true,
        Generator? generator = null)
        : base(nameof(DinoHead))
    {
        mlp = BuildMlp(Math.Max(nlayers, 1), inDim, bottleneckDim, hiddenDim, useBn, mlpBias);
        InitializeLinears(mlp, generator);
        last_layer = new WeightNormLinear(bottleneckDim, outDim, generator);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var hidden = mlp.call(x);
        using var normalized = nn.functional.normalize(hidden, p: 2, dim: -1, eps: NormalizeEps);
        return last_layer.call(normalized);
    }

    private static nn.Module<Tensor, Tensor> BuildMlp(int nlayers, long inDim, long bottleneckDim, long hiddenDim, bool useBn, bool bias)
    {
        if (nlayers == 1) return nn.Linear(inDim, bottleneckDim, hasBias: bias);
        var layers = new List<nn.Module<Tensor, Tensor>>();
        void AddHidden(long from)
        {
            layers.Add(nn.Linear(from, hiddenDim, hasBias: bias));
            if (useBn) layers.Add(nn.BatchNorm1d(hiddenDim));
            layers.Add(nn.GELU());
        }
        AddHidden(inDim);
        for (var i = 0; i < nlayers - 2; i++) AddHidden(hiddenDim);
        layers.Add(nn.Linear(hiddenDim, bottleneckDim, hasBias: bias));
        return nn.Sequential(layers);
    }

    private static void InitializeLinears(nn.Module mlp, Generator? generator)
    {
        using var noGrad = no_grad();
        foreach (var linear in mlp.modules().Prepend(mlp).Distinct().OfType<Linear>())
        {
            // Official trunc_normal_(std=0.02) cuts at ±2, a hundred deviations out, so it is this normal
            // (TorchSharp 0.107's trunc_normal_ fills a constant; see Engine's RandomInitializer).
            linear.weight!.normal_(0, 0.02, generator);
            if (linear.bias is { } bias) nn.init.zeros_(bias);
        }
    }
}
