using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EmbeddingService.Training.Runs.Spec;

/// <summary>
/// Reads a run spec (unknown fields refused by name), completes the defaults that depend on other fields, validates
/// every field, and gives the canonical JSON and hash that checkpoints carry.
/// </summary>
public static class RunSpecFile
{
    /// <summary>Sections that say how a run is computed, not what: changing them never refuses a resume.</summary>
    public static readonly IReadOnlyList<string> UnhashedSections = ["checkpoints", "evaluation", "execution"];

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    public static RunSpec Load(string path, RunKind? kind = null)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunSpecException([$"cannot read '{path}': {e.Message}"]);
        }
        return Parse(json, kind);
    }

    /// <summary>The completed, validated spec; <paramref name="kind"/> (the command's) must agree with the file's kind when both are given.</summary>
    public static RunSpec Parse(string json, RunKind? kind = null)
    {
        var spec = Deserialize<RunSpec>(json);
        if (kind is { } wanted)
        {
            if (spec.Kind is { } given && given != wanted)
                throw new RunSpecException([$"kind: the spec says {Name(given)} but the command is {Name(wanted)}"]);
            spec = spec with { Kind = wanted };
        }
        var nulls = NullSections(spec);
        if (nulls.Count > 0) throw new RunSpecException(nulls);
        var completed = RunSpecDefaults.Complete(spec);
        var problems = RunSpecValidator.Problems(completed);
        if (problems.Count > 0) throw new RunSpecException(problems);
        return completed;
    }

    /// <summary>The JSON object as <typeparamref name="T"/> (snake_case, unknown fields refused), or the problem naming its path.</summary>
    public static T Deserialize<T>(string json) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, JsonOptions) ?? throw new RunSpecException(["the spec must be a JSON object"]);
        }
        catch (JsonException e)
        {
            throw new RunSpecException([Describe(e)]);
        }
    }

    /// <summary>The spec as JSON with every field present, in declaration order: the same spec always gives the same text.</summary>
    public static string Canonical(RunSpec spec) => JsonSerializer.Serialize(spec, JsonOptions);

    /// <summary>"sha256:" and the hex SHA-256 of the canonical JSON without the <see cref="UnhashedSections"/>.</summary>
    public static string Hash(RunSpec spec)
    {
        var hashed = HashedNode(Canonical(spec));
        return HashOf(hashed.ToJsonString());
    }

    /// <summary>"sha256:" and the hex SHA-256 of the text's UTF-8 bytes.</summary>
    public static string HashOf(string text) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The JSON paths whose values differ between two canonical specs, outside the <see cref="UnhashedSections"/>.</summary>
    public static IReadOnlyList<string> ChangedFields(string canonicalBefore, string canonicalAfter)
    {
        var before = Flatten(HashedNode(canonicalBefore));
        var after = Flatten(HashedNode(canonicalAfter));
        return before.Keys.Union(after.Keys)
            .Where(path => before.GetValueOrDefault(path) != after.GetValueOrDefault(path))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public static string Name(RunKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());

    private static JsonObject HashedNode(string canonical)
    {
        var node = JsonNode.Parse(canonical)!.AsObject();
        foreach (var section in UnhashedSections) node.Remove(section);
        return node;
    }

    private static Dictionary<string, string> Flatten(JsonNode? node, string path = "", Dictionary<string, string>? into = null)
    {
        into ??= [];
        if (node is JsonObject obj)
            foreach (var (key, child) in obj) Flatten(child, path.Length == 0 ? key : $"{path}.{key}", into);
        else
            into[path] = node?.ToJsonString() ?? "null";
        return into;
    }

    private static List<string> NullSections(RunSpec spec)
    {
        var sections = new (string Name, object? Value)[]
        {
            ("data", spec.Data), ("model", spec.Model), ("heads", spec.Heads), ("crops", spec.Crops), ("masking", spec.Masking),
            ("objective", spec.Objective), ("optim", spec.Optim), ("checkpoints", spec.Checkpoints),
            ("evaluation", spec.Evaluation), ("execution", spec.Execution),
        };
        return sections.Where(s => s.Value is null).Select(s => $"{s.Name}: must be an object, not null").ToList();
    }

    /// <summary>"field.path: what is wrong" from System.Text.Json's exception.</summary>
    private static string Describe(JsonException e)
    {
        var path = e.Path is null or "$" ? "" : e.Path.TrimStart('$', '.');
        const string Unmapped = "could not be mapped to any .NET member";
        if (e.Message.Contains(Unmapped, StringComparison.Ordinal))
        {
            var start = e.Message.IndexOf('\'') + 1;
            var field = e.Message[start..e.Message.IndexOf('\'', start)];
            var parent = path.EndsWith(field, StringComparison.Ordinal) ? path[..^field.Length].TrimEnd('.') : path;
            return $"unknown field '{(parent.Length == 0 ? field : $"{parent}.{field}")}'";
        }
        var what = e.InnerException?.Message ?? e.Message;
        return path.Length == 0 ? $"not valid JSON: {what}" : $"{path}: cannot be read (wrong type or not valid JSON): {what}";
    }
}
