using System.Text.Json;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Problems;
using EmbeddingService.Retrieval;

namespace EmbeddingService.Api.Collections;

/// <summary>The JSON search objects of the collection routes: the query source, k, filter and score threshold.</summary>
public static class RetrievalJson
{
    private static readonly string[] Members = ["image", "vector", Base64Vectors.Member, "id", "k", "filter", "score_threshold"];

    private static float[] Vector(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Array)
            throw Invalid($"{where}: \"vector\" must be an array of numbers");
        var vector = new float[element.GetArrayLength()];
        var i = 0;
        foreach (var value in element.EnumerateArray())
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetSingle(out vector[i]))
                throw Invalid($"{where}: \"vector\"[{i}] is not a number");
            i++;
        }
        return vector;
    }

    private static EmbedInput Image(JsonElement image, string where) =>
        Base64Images.TryDecode(image, out var bytes)
            ? new EmbedInput(bytes, null)
            : throw Invalid($"{where}: \"image\" must be a base64 string (or a data: URL of one)");

    /// <summary>{"key": value, "nested.key": [value, value]}: each key must equal its value, or one of its values.</summary>
    private static PayloadFilter Filter(JsonElement filter, string where)
    {
        if (filter.ValueKind != JsonValueKind.Object)
            throw Invalid($"{where}: \"filter\" must be an object of key: value or key: [values]");
        var conditions = new List<FieldCondition>();
        foreach (var member in filter.EnumerateObject())
        {
            var values = member.Value.ValueKind == JsonValueKind.Array ? member.Value.EnumerateArray().ToArray() : [member.Value];
            if (values.Length == 0 || values.Any(v => !IsMatchable(v)))
                throw Invalid($"{where}: filter \"{member.Name}\" must be a string, an integer, a boolean, or a non-empty array of them");
            conditions.Add(new FieldCondition(member.Name, values.Select(v => v.Clone()).ToArray()));
        }
        return new PayloadFilter(conditions);
    }

    /// <summary>One search object: exactly one of "image", "vector", "vector_base64", "id"; "k", "filter", "score_threshold" optional.</summary>
    public static QueryInput Query(JsonElement item, string where, int defaultK)
    {
        if (item.ValueKind != JsonValueKind.Object)
            throw Invalid($"{where} must be an object");
        var sources = new[] { "image", "vector", Base64Vectors.Member, "id" }.Where(name => item.TryGetProperty(name, out _)).ToArray();
        if (sources.Length != 1)
            throw Invalid($"{where} must have exactly one of \"image\", \"vector\", \"{Base64Vectors.Member}\" or \"id\"");
        JsonMembers.RequireKnown(item, where, Members);
        var k = item.TryGetProperty("k", out var kElement)
            ? kElement.ValueKind == JsonValueKind.Number && kElement.TryGetInt32(out var kValue) ? kValue : throw Invalid($"{where}: \"k\" must be an integer, not {kElement.GetRawText()}")
            : defaultK;
        var filter = item.TryGetProperty("filter", out var filterElement) && filterElement.ValueKind != JsonValueKind.Null ? Filter(filterElement, where) : null;
        float? threshold = item.TryGetProperty("score_threshold", out var t) && t.ValueKind != JsonValueKind.Null
            ? t.ValueKind == JsonValueKind.Number ? t.GetSingle() : throw Invalid($"{where}: \"score_threshold\" must be a number")
            : null;
        var source = item.GetProperty(sources[0]);
        return sources[0] switch
        {
            "image" => new QueryInput(Image(source, where), null, null, k, filter, threshold),
            "vector" => new QueryInput(null, Vector(source, where), null, k, filter, threshold),
            Base64Vectors.Member => new QueryInput(null, source.ValueKind == JsonValueKind.String && source.TryGetBytesFromBase64(out var raw) && Base64Vectors.FromBytes(raw) is { } v
                ? v
                : throw Invalid(Base64Vectors.Problem(where)), null, k, filter, threshold),
            _ => new QueryInput(null, null, source.ValueKind == JsonValueKind.String ? source.GetString() : throw Invalid($"{where}: \"id\" must be a string"), k, filter, threshold),
        };
    }

    private static bool IsMatchable(JsonElement value) =>
        value.ValueKind is JsonValueKind.String or JsonValueKind.True or JsonValueKind.False || value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _);

    private static ApiRequestError Invalid(string message) => new(ApiProblems.InvalidArgument, message);
}
