using System.Text.Json;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>
/// Architecture settings found beside a single-file checkpoint: a JSON file named like the weights with a
/// .json extension (weights.pth → weights.json), else manifest.json, else config.json in the same folder.
/// It may hold, at its root or under "config", num_heads (or num_attention_heads), interpolate_offset,
/// interpolate_antialias and layernorm_eps (or layer_norm_eps) — the fields a state dict cannot tell.
/// A file with none of these fields is ignored; one that cannot be parsed is an error.
/// </summary>
public static class ArchitectureSidecar
{
    public static readonly IReadOnlyList<string> SharedNames = ["manifest.json", "config.json"];

    /// <summary>The options completed from the first sidecar that has any of the fields; explicit options win.</summary>
    public static CheckpointLoadOptions Complete(string weightsFile, CheckpointLoadOptions options)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(weightsFile))!;
        var candidates = new[] { System.IO.Path.ChangeExtension(weightsFile, ".json") }
            .Concat(SharedNames.Select(name => System.IO.Path.Combine(directory, name)));
        foreach (var candidate in candidates.Where(File.Exists))
        {
            if (Read(candidate) is { } found)
                return options with
                {
                    NumHeads = options.NumHeads ?? found.NumHeads,
                    InterpolateOffset = options.InterpolateOffset ?? found.InterpolateOffset,
                    InterpolateAntialias = options.InterpolateAntialias ?? found.InterpolateAntialias,
                    LayerNormEps = options.LayerNormEps ?? found.LayerNormEps,
                };
        }
        return options;
    }

    private static CheckpointLoadOptions? Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            var section = document.RootElement.TryGetProperty("config", out var nested) && nested.ValueKind == JsonValueKind.Object
                ? nested
                : document.RootElement;
            var found = new CheckpointLoadOptions
            {
                NumHeads = Int(section, "num_heads") ?? Int(section, "num_attention_heads"),
                InterpolateOffset = Number(section, "interpolate_offset"),
                InterpolateAntialias = Bool(section, "interpolate_antialias"),
                LayerNormEps = Number(section, "layernorm_eps") ?? Number(section, "layer_norm_eps"),
            };
            return found == CheckpointLoadOptions.Default ? null : found;
        }
        catch (Exception e) when (e is JsonException or IOException or FormatException or InvalidOperationException)
        {
            throw new CheckpointException($"architecture file '{path}' beside the checkpoint cannot be read: {e.Message}", e);
        }
    }

    private static int? Int(JsonElement section, string name) =>
        section.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static double? Number(JsonElement section, string name) =>
        section.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static bool? Bool(JsonElement section, string name) =>
        section.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;
}
