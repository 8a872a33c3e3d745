using System.Text.Json;
using Google.Protobuf.Collections;
using Qdrant.Client.Grpc;

namespace EmbeddingService.Retrieval.Qdrant;

/// <summary>
/// JSON (System.Text.Json) to Qdrant payload values and back. Integers that fit a long stay integers (Qdrant's
/// integer match needs them), other numbers become doubles; strings, booleans, null, arrays and objects map one to one.
/// </summary>
internal static class QdrantValues
{
    /// <exception cref="FormatException">A number no double can hold, or an undefined element.</exception>
    public static Value FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new Value { StructValue = StructFromJson(element) },
        JsonValueKind.Array => new Value { ListValue = ListFromJson(element) },
        JsonValueKind.String => new Value { StringValue = element.GetString() },
        JsonValueKind.Number => NumberFromJson(element),
        JsonValueKind.True => new Value { BoolValue = true },
        JsonValueKind.False => new Value { BoolValue = false },
        JsonValueKind.Null => new Value { NullValue = NullValue.NullValue },
        _ => throw new FormatException($"a JSON value is {element.ValueKind}"),
    };

    /// <summary>The fields of a JSON object as a Qdrant map (payload or struct).</summary>
    public static void CopyObject(JsonElement obj, MapField<string, Value> target)
    {
        foreach (var property in obj.EnumerateObject()) target[property.Name] = FromJson(property.Value);
    }

    public static void Write(Utf8JsonWriter writer, Value value)
    {
        switch (value.KindCase)
        {
            case Value.KindOneofCase.StructValue:
                WriteObject(writer, value.StructValue.Fields);
                break;
            case Value.KindOneofCase.ListValue:
                writer.WriteStartArray();
                foreach (var item in value.ListValue.Values) Write(writer, item);
                writer.WriteEndArray();
                break;
            case Value.KindOneofCase.StringValue:
                writer.WriteStringValue(value.StringValue);
                break;
            case Value.KindOneofCase.IntegerValue:
                writer.WriteNumberValue(value.IntegerValue);
                break;
            case Value.KindOneofCase.DoubleValue:
                writer.WriteNumberValue(value.DoubleValue);
                break;
            case Value.KindOneofCase.BoolValue:
                writer.WriteBooleanValue(value.BoolValue);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>Writes the fields of <paramref name="fields"/> as a JSON object, leaving out <paramref name="except"/>.</summary>
    public static void WriteObject(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, Value>> fields, string? except = null)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in fields)
        {
            if (name == except) continue;
            writer.WritePropertyName(name);
            Write(writer, value);
        }
        writer.WriteEndObject();
    }

    private static Struct StructFromJson(JsonElement obj)
    {
        var result = new Struct();
        CopyObject(obj, result.Fields);
        return result;
    }

    private static ListValue ListFromJson(JsonElement array)
    {
        var result = new ListValue();
        foreach (var item in array.EnumerateArray()) result.Values.Add(FromJson(item));
        return result;
    }

    private static Value NumberFromJson(JsonElement number)
    {
        if (number.TryGetInt64(out var integer)) return new Value { IntegerValue = integer };
        if (number.TryGetDouble(out var real) && double.IsFinite(real)) return new Value { DoubleValue = real };
        throw new FormatException($"the number {number.GetRawText()} is outside the range of a double");
    }
}
