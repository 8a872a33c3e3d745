using System.Text.Json;
using TorchSharp;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>Parses and checks the JSON header of a safetensors file against the size of its data section.</summary>
internal static class SafeTensorsHeader
{
    private const string MetadataKey = "__metadata__";

    public static IReadOnlyList<SafeTensorsEntry> Parse(ReadOnlySpan<byte> json, long dataLength, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"Safetensors file '{path}' has a corrupt JSON header: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"Safetensors file '{path}' has a header that is not a JSON object.");
            var entries = document.RootElement.EnumerateObject()
                .Where(property => property.Name != MetadataKey)
                .Select(property => ParseEntry(property, dataLength, path))
                .ToList();
            var duplicates = entries.GroupBy(entry => entry.Name).Where(group => group.Count() > 1).Select(group => group.Key).ToList();
            if (duplicates.Count > 0)
                throw new CheckpointException($"Safetensors file '{path}' lists tensors {string.Join(", ", duplicates)} more than once.");
            return entries;
        }
    }

    /// <summary>The "__metadata__" object's string values; empty without one.</summary>
    public static IReadOnlyDictionary<string, string> Metadata(ReadOnlySpan<byte> json, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty(MetadataKey, out var metadata)
                || metadata.ValueKind != JsonValueKind.Object)
                return new Dictionary<string, string>();
            return metadata.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"Safetensors file '{path}' has a corrupt JSON header: {e.Message}", e);
        }
    }

    private static SafeTensorsEntry ParseEntry(JsonProperty property, long dataLength, string path)
    {
        var name = property.Name;
        CheckpointException Invalid(string problem) =>
            new($"Safetensors file '{path}': tensor '{name}' {problem}.");

        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object) throw Invalid("is not described by a JSON object");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Invalid("has no dtype");
        var dtypeName = dtypeElement.GetString()!;
        if (!SafeTensorsDTypes.TryGetScalarType(dtypeName, out var dtype))
            throw Invalid($"has dtype {dtypeName}; only {string.Join(", ", SafeTensorsDTypes.Names)} are supported");

        var shape = ReadNonNegativeIntegers(value, "shape") ?? throw Invalid("has no valid shape");
        var offsets = ReadNonNegativeIntegers(value, "data_offsets");
        if (offsets is not { Length: 2 }) throw Invalid("has no valid data_offsets [begin, end]");
        var (begin, end) = (offsets[0], offsets[1]);
        if (begin > end) throw Invalid($"has data_offsets [{begin}, {end}] that end before they begin");
        if (end > dataLength)
            throw Invalid($"has data_offsets [{begin}, {end}] past the end of the data section ({dataLength} bytes); the file is truncated or corrupt");

        long expectedBytes;
        try
        {
            expectedBytes = checked(shape.Aggregate(1L, (product, dim) => product * dim) * SafeTensorsDTypes.ElementSize(dtype));
        }
        catch (OverflowException)
        {
            throw Invalid($"has a shape [{string.Join(", ", shape)}] too large to address");
        }
        if (end - begin != expectedBytes)
            throw Invalid($"of shape [{string.Join(", ", shape)}] and dtype {dtypeName} needs {expectedBytes} bytes but data_offsets [{begin}, {end}] span {end - begin}");
        if (expectedBytes > Array.MaxLength)
            throw Invalid($"is {expectedBytes} bytes, larger than one tensor can be read");
        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    private static long[]? ReadNonNegativeIntegers(JsonElement value, string property)
    {
        if (!value.TryGetProperty(property, out var array) || array.ValueKind != JsonValueKind.Array) return null;
        var result = new List<long>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var number) || number < 0) return null;
            result.Add(number);
        }
        return result.ToArray();
    }
}
