using System.Text.Json;
using EmbeddingService.Engine.Model;

namespace EmbeddingService.Training.Verification;

/// <summary>Typed access to the fields of a parity manifest, with errors that name the missing path.</summary>
public static class ManifestReader
{
    public static JsonElement At(JsonElement element, params string[] path)
    {
        foreach (var key in path)
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(key, out element))
                throw new InvalidDataException($"manifest has no '{string.Join(".", path)}'");
        return element;
    }

    public static double Double(JsonElement element, params string[] path) => At(element, path).GetDouble();

    public static int Int(JsonElement element, params string[] path) => At(element, path).GetInt32();

    public static string String(JsonElement element, params string[] path) => At(element, path).GetString()!;

    public static double DoubleOr(JsonElement element, double fallback, params string[] path) =>
        TryAt(element, path) is { } value ? value.GetDouble() : fallback;

    public static int IntOr(JsonElement element, int fallback, params string[] path) =>
        TryAt(element, path) is { } value ? value.GetInt32() : fallback;

    public static JsonElement? TryAt(JsonElement element, params string[] path)
    {
        foreach (var key in path)
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(key, out element)) return null;
        return element;
    }

    /// <summary>A ViT from an official-style arch block (img_size, patch_size, embed_dim, depth, num_heads, ...).</summary>
    public static VitConfig Vit(JsonElement arch, int? ffnHidden = null) => new()
    {
        ImgSize = Int(arch, "img_size"),
        PatchSize = Int(arch, "patch_size"),
        EmbedDim = Int(arch, "embed_dim"),
        Depth = Int(arch, "depth"),
        NumHeads = Int(arch, "num_heads"),
        NumRegisters = IntOr(arch, 0, "num_register_tokens"),
        Ffn = TryAt(arch, "ffn_layer")?.GetString() is "swiglufused" or "swiglu" ? FfnKind.SwiGlu : FfnKind.Mlp,
        LayerScaleInit = DoubleOr(arch, 1e-5, "layerscale"),
        FfnHiddenDimOverride = ffnHidden,
    };
}
