using System.Text.Json;
using EmbeddingService.Engine.Model;

namespace EmbeddingService.Engine.Tests.Checkpoints;

/// <summary>Paths and parameter manifests of the DINOv2 parity fixtures.</summary>
internal static class Fixtures
{
    public static string Folder(string model) => Path.Combine(AppContext.BaseDirectory, "fixtures", "dinov2-parity", model);

    public static string Pth(string model) => Path.Combine(Folder(model), "weights.pth");

    public static string SafeTensors(string model) => Path.Combine(Folder(model), "weights.safetensors");

    /// <summary>Parameter key → shape, as listed in the fixture's manifest.json.</summary>
    public static IReadOnlyDictionary<string, long[]> ManifestShapes(string model)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(model), "manifest.json")));
        return manifest.RootElement.GetProperty("weights").GetProperty("parameters").EnumerateArray()
            .ToDictionary(
                parameter => parameter.GetProperty("key").GetString()!,
                parameter => parameter.GetProperty("shape").EnumerateArray().Select(dim => dim.GetInt64()).ToArray());
    }

    /// <summary>The architecture recorded in the fixture's manifest.json.</summary>
    public static VitConfig ManifestConfig(string model)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(model), "manifest.json")));
        var config = manifest.RootElement.GetProperty("config");
        return new VitConfig
        {
            EmbedDim = config.GetProperty("embed_dim").GetInt32(),
            Depth = config.GetProperty("depth").GetInt32(),
            NumHeads = config.GetProperty("num_heads").GetInt32(),
            PatchSize = config.GetProperty("patch_size").GetInt32(),
            ImgSize = config.GetProperty("img_size").GetInt32(),
            InChannels = config.GetProperty("in_chans").GetInt32(),
            NumRegisters = config.GetProperty("num_register_tokens").GetInt32(),
            Ffn = config.GetProperty("ffn_layer").GetString() == "mlp" ? FfnKind.Mlp : FfnKind.SwiGlu,
            MlpRatio = config.GetProperty("mlp_ratio").GetDouble(),
            InterpolateOffset = config.GetProperty("interpolate_offset").GetDouble(),
            InterpolateAntialias = config.GetProperty("interpolate_antialias").GetBoolean(),
            LayerNormEps = config.GetProperty("layernorm_eps").GetDouble(),
        };
    }
}
