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
    /// <param name="payload">Absent or a JSON object without the reserved key, as <see cref="CollectionRequestRules"/> checked.</param>
    /// <exception cref="FormatException">The payload holds a number no double can hold.</exception>
    public static void Fill(MapField<string, Value> target, string id, JsonElement? payload)
    {
        if (!CollectionRequestRules.IsAbsent(payload)) QdrantValues.CopyObject(payload!.Value, target);
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
}
