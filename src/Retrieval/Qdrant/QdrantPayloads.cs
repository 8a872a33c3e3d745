using System.Buffers;
using System.Text.Json;
using Google.Protobuf.Collections;
using Qdrant.Client.Grpc;

namespace EmbeddingService.Retrieval.Qdrant;

/// <summary>
/// A point's Qdrant payload: the caller's JSON object plus the caller's id under the reserved key
/// <see cref="QdrantPointIds.PayloadKey"/>, which is added on the way in and removed on the way out.
/// </summary>
internal static class QdrantPayloads
{
    /// <summary>Fills <paramref name="target"/> with <paramref name="payload"/>'s fields and the id.</summary>
    /// <exception cref="FormatException">The payload is not a JSON object, uses the reserved key or holds a number no double can hold.</exception>
    public static void Fill(MapField<string, Value> target, string id, JsonElement? payload)
    {
        if (payload is { } obj)
        {
            if (obj.ValueKind != JsonValueKind.Object)
                throw new FormatException($"the payload is {Describe(obj.ValueKind)}, not a JSON object");
            if (obj.TryGetProperty(QdrantPointIds.PayloadKey, out _))
                throw new FormatException($"the payload key '{QdrantPointIds.PayloadKey}' is reserved (it holds the point id in Qdrant)");
            QdrantValues.CopyObject(obj, target);
        }
        target[QdrantPointIds.PayloadKey] = new Value { StringValue = id };
    }

    /// <summary>The caller's id kept in a stored payload.</summary>
    public static string IdOf(MapField<string, Value> payload, string collection) =>
        payload.TryGetValue(QdrantPointIds.PayloadKey, out var id) && id.KindCase == Value.KindOneofCase.StringValue
            ? id.StringValue
            : throw new RetrievalException(RetrievalError.StoreCorrupt,
                $"Qdrant collection '{collection}' holds a point without the string payload key '{QdrantPointIds.PayloadKey}'; it was not written by this service");

    /// <summary>The caller's payload (the reserved key removed), or null when the point has none.</summary>
    public static JsonElement? CallerPayload(MapField<string, Value> payload)
    {
        if (payload.Count == 0 || (payload.Count == 1 && payload.ContainsKey(QdrantPointIds.PayloadKey))) return null;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
            QdrantValues.WriteObject(writer, payload, except: QdrantPointIds.PayloadKey);
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };
}
