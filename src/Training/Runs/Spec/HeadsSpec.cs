namespace EmbeddingService.Training.Runs.Spec;

/// <summary>
/// heads: the DINO head and the iBOT head (official dino.head_* / ibot.head_*). <see cref="SeparateIbotHead"/>: false
/// shares the DINO head (ssl_default_config), true gives iBOT its own (the released models' configs); distillation
/// always uses separate heads.
/// </summary>
public sealed record HeadsSpec
{
    public int Prototypes { get; init; } = 65536;
    /// <summary>The separate iBOT head's prototypes; default: <see cref="Prototypes"/>.</summary>
    public int? IbotPrototypes { get; init; }
    public int HiddenDim { get; init; } = 2048;
    public int BottleneckDim { get; init; } = 256;
    public int Layers { get; init; } = 3;
    /// <summary>Default false for pretraining, true for distillation.</summary>
    public bool? SeparateIbotHead { get; init; }
}
