using System.Text.Json;

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
}
