using System.Text.Json;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Problems;

namespace EmbeddingService.Api.Collections;

/// <summary>
/// Reads {"points":[{"id":"...","image":"&lt;base64&gt;" or "vector":[...] or "vector_base64":"...","payload":{...}}]} in one forward pass
/// over the body: vectors go straight into float arrays without building a document of the whole request, which
/// is most of the cost of a large vector upsert. Errors name the offending point's index.
/// </summary>
public static class JsonPointsReader
{
    private static readonly string[] PointMembers = ["id", "image", "vector", Base64Vectors.Member, "payload"];

    public static IReadOnlyList<PointInput> Read(ReadOnlySpan<byte> body, int maxPoints)
    {
        var reader = new Utf8JsonReader(body);
        var points = new List<PointInput>();
        try
        {
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.StartObject) throw Shape();
            var sawPoints = false;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                var member = reader.GetString();
                Next(ref reader);
                if (member != "points") throw JsonMembers.Unknown("the body", member ?? "", ["points"]);
                if (reader.TokenType != JsonTokenType.StartArray) throw Shape();
                sawPoints = true;
                while (Next(ref reader) != JsonTokenType.EndArray)
                {
                    if (points.Count == maxPoints)
                        throw new ApiRequestError(ApiProblems.TooManyPoints, $"more than {maxPoints} points in one request");
                    points.Add(ReadPoint(ref reader, points.Count));
                }
            }
            if (!sawPoints) throw Shape();
            return points;
        }
        catch (JsonException e)
        {
            throw new ApiRequestError(ApiProblems.InvalidArgument, $"the body is not valid JSON: {e.Message}");
        }
    }

    private static PointInput ReadPoint(ref Utf8JsonReader reader, int index)
    {
        var where = $"point {index}";
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new ApiRequestError(ApiProblems.InvalidArgument, $"{where} must be an object with a string \"id\"", index);
        string? id = null;
        EmbedInput? image = null;
        float[]? vector = null;
        JsonElement? payload = null;
        var sources = 0;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            Next(ref reader);
            switch (name)
            {
                case "id":
                    id = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new ApiRequestError(ApiProblems.InvalidArgument, $"{where}: \"id\" must be a string", index);
                    break;
                case "image":
                    sources++;
                    image = Base64Images.TryDecode(ref reader, out var bytes)
                        ? new EmbedInput(bytes, null)
                        : throw new ApiRequestError(ApiProblems.InvalidArgument, $"{where}: \"image\" must be a base64 string (or a data: URL of one)", index);
                    break;
                case "vector":
                    sources++;
                    vector = ReadVector(ref reader, where, index);
                    break;
                case Base64Vectors.Member:
                    sources++;
                    vector = reader.TokenType == JsonTokenType.String && reader.TryGetBytesFromBase64(out var raw) ? Base64Vectors.FromBytes(raw) : null;
                    if (vector is null) throw new ApiRequestError(ApiProblems.InvalidArgument, Base64Vectors.Problem(where), index);
                    break;
                case "payload":
                    payload = reader.TokenType switch
                    {
                        JsonTokenType.Null => null,
                        JsonTokenType.StartObject => JsonElement.ParseValue(ref reader),
                        _ => throw new ApiRequestError(ApiProblems.InvalidArgument, $"{where}: \"payload\" must be a JSON object", index),
                    };
                    break;
                default:
                    throw JsonMembers.Unknown(where, name ?? "", PointMembers, index);
            }
        }
        if (id is null)
            throw new ApiRequestError(ApiProblems.InvalidArgument, $"{where} must be an object with a string \"id\"", index);
        if (sources != 1)
            throw new ApiRequestError(ApiProblems.InvalidArgument, $"{where} ({id}) must have exactly one of \"image\" (base64), \"vector\" or \"{Base64Vectors.Member}\"", index);
        return new PointInput(id, image is null ? null : image with { Id = id }, vector, payload);
    }

    private static float[] ReadVector(ref Utf8JsonReader reader, string where, int index)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new ApiRequestError(ApiProblems.InvalidArgument, $"{where}: \"vector\" must be an array of numbers", index);
        var values = new List<float>(1024);
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !Utf8Float.TryParse(reader.ValueSpan, out var value))
                throw new ApiRequestError(ApiProblems.InvalidArgument, $"{where}: \"vector\"[{values.Count}] is not a number", index);
            values.Add(value);
        }
        return [.. values];
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new ApiRequestError(ApiProblems.InvalidArgument, "the body is not valid JSON: it ends early");

    private static ApiRequestError Shape() => new(ApiProblems.InvalidArgument, "the body must be an object with a \"points\" array");
}
