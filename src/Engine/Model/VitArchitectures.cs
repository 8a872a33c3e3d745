namespace EmbeddingService.Engine.Model;

/// <summary>The official DINOv2 backbones by name (vits14, vitb14, vitl14, vitg14, each also *_reg).</summary>
public static class VitArchitectures
{
    private static readonly IReadOnlyDictionary<string, VitConfig> Base = new Dictionary<string, VitConfig>(StringComparer.OrdinalIgnoreCase)
    {
        ["vits14"] = new() { EmbedDim = 384, Depth = 12, NumHeads = 6 },
        ["vitb14"] = new() { EmbedDim = 768, Depth = 12, NumHeads = 12 },
        ["vitl14"] = new() { EmbedDim = 1024, Depth = 24, NumHeads = 16 },
        ["vitg14"] = new() { EmbedDim = 1536, Depth = 40, NumHeads = 24, Ffn = FfnKind.SwiGlu },
    };

    public static IEnumerable<string> Names => Base.Keys.SelectMany(n => new[] { n, n + "_reg" });

    /// <summary>The configuration of a named architecture; register variants use offset 0 and antialias.</summary>
    public static VitConfig Get(string name)
    {
        if (!TryGet(name, out var config))
            throw new ArgumentException($"Unknown architecture '{name}'; known: {string.Join(", ", Names)}.");
        return config;
    }

    public static bool TryGet(string name, out VitConfig config)
    {
        var withRegisters = name.EndsWith("_reg", StringComparison.OrdinalIgnoreCase);
        var baseName = withRegisters ? name[..^4] : name;
        if (!Base.TryGetValue(baseName, out var found))
        {
            config = null!;
            return false;
        }
        config = withRegisters ? found with { NumRegisters = 4, InterpolateOffset = 0, InterpolateAntialias = true } : found;
        return true;
    }

    /// <summary>Heads of the official model with this width, used when a checkpoint does not say.</summary>
    public static int? HeadsForEmbedDim(int embedDim) =>
        Base.Values.FirstOrDefault(c => c.EmbedDim == embedDim)?.NumHeads;

    /// <summary>The official name of a configuration, or null for a custom one.</summary>
    public static string? NameOf(VitConfig config) =>
        Names.FirstOrDefault(n => Get(n) == config with { LayerScaleInit = Get(n).LayerScaleInit });
}
