namespace EmbeddingService.Training.Train;

/// <summary>A DINO or iBOT head: prototypes K, hidden width, bottleneck and layers (official defaults 65536 / 2048 / 256 / 3).</summary>
public sealed record HeadConfig(int Prototypes = 65536, int HiddenDim = 2048, int BottleneckDim = 256, int Layers = 3)
{
    public IEnumerable<string> Problems(string name)
    {
        if (Prototypes < 1) yield return $"{name}.prototypes must be ≥ 1 (got {Prototypes})";
        if (HiddenDim < 1) yield return $"{name}.hidden_dim must be ≥ 1 (got {HiddenDim})";
        if (BottleneckDim < 1) yield return $"{name}.bottleneck_dim must be ≥ 1 (got {BottleneckDim})";
        if (Layers < 1) yield return $"{name}.layers must be ≥ 1 (got {Layers})";
    }
}
