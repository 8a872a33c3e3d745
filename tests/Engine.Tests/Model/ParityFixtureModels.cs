using EmbeddingService.Engine.Model;

namespace EmbeddingService.Engine.Tests.Model;

/// <summary>The two configurations of the official parity fixtures (see their manifest.json).</summary>
public static class ParityFixtureModels
{
    public static VitConfig Tiny { get; } = new() { EmbedDim = 96, Depth = 3, NumHeads = 3 };

    public static VitConfig Reg { get; } = Tiny with { NumRegisters = 4, InterpolateOffset = 0, InterpolateAntialias = true };

    public static VitConfig For(string name) => name switch
    {
        "tiny" => Tiny,
        "reg" => Reg,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
