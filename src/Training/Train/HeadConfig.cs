namespace EmbeddingService.Training.Train;

/// <summary>A DINO or iBOT head: prototypes K, hidden width, bottleneck and layers (official defaults 65536 / 2048 / 256 / 3).</summary>
public sealed record HeadConfig(int Prototypes = 65536, int HiddenDim = 2048, int BottleneckDim = 256, int Layers = 3);
