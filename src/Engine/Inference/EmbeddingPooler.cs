using EmbeddingService.Engine.Model;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Inference;

/// <summary>Turns the features of a packed forward into one embedding per image.</summary>
public static class EmbeddingPooler
{
    /// <summary>The float32 embedding [width] of one image of a packed forward.</summary>
    public static Tensor Pool(PackedFeatures features, int image, Pooling pooling, bool normalize)
    {
        using var scope = NewDisposeScope();
        var pooled = (pooling switch
        {
            Pooling.Cls => features.Cls(image),
            Pooling.Mean => features.Patches(image).mean([0]),
            Pooling.ClsMean => cat([features.Cls(image), features.Patches(image).mean([0])], 0),
            _ => throw new ArgumentOutOfRangeException(nameof(pooling)),
        }).to(float32);
        if (normalize)
            pooled = nn.functional.normalize(pooled, p: 2, dim: 0);
        return pooled.MoveToOuterDisposeScope();
    }
}
