using System.Text.Json;
using EmbeddingService.Api.Problems;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace EmbeddingService.Api.Collections;

/// <summary>
/// Protobuf Struct and Value from gRPC clients as JSON, checked first: a Value without a kind has no JSON form, and
/// NaN or ±Infinity, which JSON cannot hold, would be written as strings.
/// </summary>
public static class GrpcValues
{
    public static JsonElement ToJson(IMessage message, string where, int? index)
    {
        switch (message)
        {
            case Struct fields:
                foreach (var (name, value) in fields.Fields) Check(value, $"{where}.{name}", index);
                break;
            case Value value:
                Check(value, where, index);
                break;
        }
        return JsonDocument.Parse(JsonFormatter.Default.Format(message)).RootElement;
    }

    private static void Check(Value value, string where, int? index)
    {
        switch (value.KindCase)
        {
            case Value.KindOneofCase.None:
                throw new ApiRequestError(ApiProblems.InvalidArgument, $"{where}: the value has no kind (set one of null, number, string, bool, struct or list)", index);
            case Value.KindOneofCase.NumberValue when !double.IsFinite(value.NumberValue):
                throw new ApiRequestError(ApiProblems.InvalidArgument, $"{where}: {value.NumberValue} is not a finite number", index);
            case Value.KindOneofCase.StructValue:
                foreach (var (name, field) in value.StructValue.Fields) Check(field, $"{where}.{name}", index);
                break;
            case Value.KindOneofCase.ListValue:
                for (var i = 0; i < value.ListValue.Values.Count; i++) Check(value.ListValue.Values[i], $"{where}[{i}]", index);
                break;
        }
    }
}
