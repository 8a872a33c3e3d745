using System.Text.Json;
using EmbeddingService.Engine.Model;

namespace EmbeddingService.Engine.Tests;

/// <summary>Paths and manifests of the fixtures copied into the test output (tests/fixtures, from ../shared/fixtures).</summary>
internal static class Fixtures
{
    private static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static string ParityFolder(string model) => Path.Combine(Root, "dinov2-parity", model);

    public static string Parity(string model, string file) => Path.Combine(ParityFolder(model), file);

    public static string Pth(string model) => Parity(model, "weights.pth");

    public static string SafeTensors(string model) => Parity(model, "weights.safetensors");

    public static string GoodImage(string name) => Path.Combine(Root, "images", "good", name);

    public static string BadImage(string name) => Path.Combine(Root, "images", "bad", name);

    public static string ReferenceTensor(string imageName) => Path.Combine(Root, "preprocess", imageName + ".npy");

    public static IEnumerable<string> GoodImageNames() => FileNames("good");

    public static IEnumerable<string> BadImageNames() => FileNames("bad");

    /// <summary>Parameter key → shape, as listed in the parity fixture's manifest.json.</summary>
    public static IReadOnlyDictionary<string, long[]> ManifestShapes(string model)
    {
        using var manifest = ReadManifest(model);
        return manifest.RootElement.GetProperty("weights").GetProperty("parameters").EnumerateArray()
            .ToDictionary(
                parameter => parameter.GetProperty("key").GetString()!,
                parameter => parameter.GetProperty("shape").EnumerateArray().Select(dim => dim.GetInt64()).ToArray());
    }

    /// <summary>The architecture recorded in the parity fixture's manifest.json.</summary>
    public static VitConfig ManifestConfig(string model)
    {
        using var manifest = ReadManifest(model);
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

    private static JsonDocument ReadManifest(string model) => JsonDocument.Parse(File.ReadAllText(Parity(model, "manifest.json")));

    private static IEnumerable<string> FileNames(string folder) =>
        Directory.GetFiles(Path.Combine(Root, "images", folder)).Select(path => Path.GetFileName(path)).Order();
}
