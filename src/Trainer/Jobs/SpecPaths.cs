using System.Text.Json;
using System.Text.Json.Nodes;
using EmbeddingService.Training.Runs.Spec;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// Confines the paths a submitted spec reads to <see cref="DataRoot"/>: each is replaced by its resolved real path
/// before the spec is parsed, so relative paths mean "under the data root" and the stored spec names exactly what the
/// job reads. Values that are not paths ("synthetic" data, "random" init) stay.
/// </summary>
public static class SpecPaths
{
    /// <summary>Each path field, with the one value that is not a path (null: none).</summary>
    private static readonly (string Field, string? NotAPath)[] RunPaths =
    [
        ("data.train", DataSpec.Synthetic), ("evaluation.train", null), ("evaluation.val", null), ("model.init", ModelSpec.RandomInit),
        ("distillation.teacher", null),
    ];
    private static readonly (string Field, string? NotAPath)[] KnnPaths = [("weights", null), ("evaluation.train", null), ("evaluation.val", null)];

    private static readonly JsonDocumentOptions Reading = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The spec with its paths resolved; text that is not a JSON object is returned as it is, for the parser to refuse.</summary>
    public static string Confine(string specJson, JobKind kind, DataRoot root)
    {
        JsonObject spec;
        try
        {
            if (JsonNode.Parse(specJson, documentOptions: Reading) is not JsonObject parsed) return specJson;
            spec = parsed;
        }
        catch (JsonException)
        {
            return specJson;
        }
        foreach (var (jsonPath, notAPath) in kind == JobKind.EvalKnn ? KnnPaths : RunPaths)
        {
            var (parent, name) = Locate(spec, jsonPath);
            if (parent?[name] is JsonValue value && value.TryGetValue<string>(out var path) && path.Length > 0 && path != notAPath)
                parent[name] = root.Resolve(jsonPath, path);
        }
        return spec.ToJsonString();
    }

    private static (JsonObject? Parent, string Name) Locate(JsonObject spec, string jsonPath)
    {
        var parts = jsonPath.Split('.');
        JsonObject? parent = spec;
        foreach (var part in parts[..^1]) parent = parent?[part] as JsonObject;
        return (parent, parts[^1]);
    }
}
