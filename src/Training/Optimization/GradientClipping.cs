using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Optimization;

/// <summary>Gradient-norm clipping per student module, as the DINOv2 loop clips each FSDP module on its own.</summary>
public static class GradientClipping
{
    /// <summary>Scales the gradients of each module's parameters to a total 2-norm of at most <paramref name="maxNorm"/>; returns each module's norm before clipping.</summary>
    public static Dictionary<string, double> ClipPerModule(IEnumerable<(string Name, IEnumerable<Parameter> Parameters)> modules, double maxNorm) =>
        modules.ToDictionary(m => m.Name, m => ClipGradNorm(m.Parameters, maxNorm));

    /// <summary>torch.nn.utils.clip_grad_norm_: parameters without a gradient are left out; returns the norm before clipping.</summary>
    public static double ClipGradNorm(IEnumerable<Parameter> parameters, double maxNorm) =>
        nn.utils.clip_grad_norm_(parameters, maxNorm);
}
