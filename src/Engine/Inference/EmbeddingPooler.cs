using EmbeddingService.Engine.Model;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Inference;

/// <summary>Turns the features of a packed forward into one embedding per image.</summary>
public static class EmbeddingPooler
{
    /// <summary>[N, width] float32 embeddings, one row per image in input order.</summary>
    public static Tensor Pool(PackedFeatures features, Pooling pooling, bool normalize)
    {
        using var scope = NewDisposeScope();
        var rows = new Tensor[features.Sequences.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = pooling switch
            {
                Pooling.Cls => features.Cls(i),
                Pooling.Mean => features.Patches(i).mean([0]),
                Pooling.ClsMean => cat([features.Cls(i), features.Patches(i).mean([0])], 0),
                _ => throw new ArgumentOutOfRangeException(nameof(pooling)),
            };
        }
        var pooled = stack(rows).to(float32);
        if (normalize)
            pooled = nn.functional.normalize(pooled, p: 2, dim: 1);
        return pooled.MoveToOuterDisposeScope();
    }
}
