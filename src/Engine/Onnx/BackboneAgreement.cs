using EmbeddingService.Engine.Model;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Onnx;

/// <summary>
/// The load-time check that a backbone computes what the network computes: two small images of different grids (so
/// position interpolation and grouping are exercised) through both. Rounding differs by far less than the bound; a
/// wrong graph differs by the size of the features.
/// </summary>
public static class BackboneAgreement
{
    public const double RelativeBound = 1e-3;

    /// <summary>The largest difference over both outputs, relative to the largest magnitude (at least 1).</summary>
    public static double RelativeDifference(DinoVisionTransformer network, IPackedForward backbone)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var patch = network.Config.PatchSize;
        var generator = new Generator(7);
        Tensor[] images =
        [
            randn([network.Config.InChannels, 2 * patch, 3 * patch], generator: generator),
            randn([network.Config.InChannels, 3 * patch, 3 * patch], generator: generator),
        ];
        using var expected = network.ForwardPacked(images);
        using var actual = backbone.ForwardPacked(images);
        return Math.Max(Relative(expected.Normed, actual.Normed), Relative(expected.Prenorm, actual.Prenorm));
    }

    private static double Relative(Tensor expected, Tensor actual)
    {
        var reference = expected.to(float32);
        var scale = Math.Max(1.0, reference.abs().max().item<float>());
        return reference.sub(actual.to(float32)).abs().max().item<float>() / scale;
    }
}
