using System.Text.Json;
using EmbeddingService.Engine.Model;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>The fields of a Hugging Face Dinov2 / Dinov2WithRegisters config.json that matter for loading its weights.</summary>
public sealed record HuggingFaceConfig
{
    public int? NumAttentionHeads { get; init; }
    public double? LayerNormEps { get; init; }
    public int? ImageSize { get; init; }
    public int? PatchSize { get; init; }
    public int? NumRegisterTokens { get; init; }
    public bool? UseSwiGluFfn { get; init; }

    public static HuggingFaceConfig Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"Hugging Face config '{path}' is not a JSON object.");
            return new HuggingFaceConfig
            {
                NumAttentionHeads = Int(root, "num_attention_heads"),
                LayerNormEps = root.TryGetProperty("layer_norm_eps", out var eps) && eps.ValueKind == JsonValueKind.Number ? eps.GetDouble() : null,
                ImageSize = Int(root, "image_size"),
                PatchSize = Int(root, "patch_size"),
                NumRegisterTokens = Int(root, "num_register_tokens"),
                UseSwiGluFfn = root.TryGetProperty("use_swiglu_ffn", out var swiglu) && swiglu.ValueKind is JsonValueKind.True or JsonValueKind.False ? swiglu.GetBoolean() : null,
            };
        }
        catch (Exception e) when (e is JsonException or IOException or FormatException)
        {
            throw new CheckpointException($"Hugging Face config '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Options with the heads and LayerNorm eps of this config where the caller gave none.</summary>
    public CheckpointLoadOptions Complete(CheckpointLoadOptions options) => options with
    {
        NumHeads = options.NumHeads ?? NumAttentionHeads,
        LayerNormEps = options.LayerNormEps ?? LayerNormEps,
    };

    /// <summary>Throws when the config describes a different model than the one its weights were inferred to be.</summary>
    public void EnsureMatches(VitConfig inferred)
    {
        var problems = new List<string>();
        if (ImageSize is { } imageSize && imageSize != inferred.ImgSize)
            problems.Add($"image_size {imageSize} but pos_embed is for {inferred.ImgSize}");
        if (PatchSize is { } patchSize && patchSize != inferred.PatchSize)
            problems.Add($"patch_size {patchSize} but the patch embedding is {inferred.PatchSize}");
        if (NumRegisterTokens is { } registers && registers != inferred.NumRegisters)
            problems.Add($"num_register_tokens {registers} but the weights have {inferred.NumRegisters}");
        if (UseSwiGluFfn is { } swiglu && swiglu != (inferred.Ffn == FfnKind.SwiGlu))
            problems.Add($"use_swiglu_ffn {swiglu.ToString().ToLowerInvariant()} but the weights have a {inferred.Ffn} FFN");
        if (problems.Count > 0)
            throw new CheckpointException("config.json disagrees with the weights: " + string.Join("; ", problems) + ".");
    }

    private static int? Int(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;
}
