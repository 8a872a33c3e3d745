using System.Text.Json;

namespace EmbeddingService.Training.Tests.Verification;

/// <summary>Structural comparison of recorded JSON with a verifier's: the same keys and array lengths, numbers within a relative tolerance.</summary>
internal static class JsonAssert
{
    /// <summary>Object keys in <paramref name="ignored"/> (e.g. float64_reference) are left out of both sides at any depth.</summary>
    public static void Matches(JsonElement expected, JsonElement actual, double rtol, string path, params string[] ignored)
    {
        Assert.True(expected.ValueKind == actual.ValueKind || IsBoolean(expected) && IsBoolean(actual),
            $"{path}: {actual.ValueKind} where {expected.ValueKind} was recorded");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var keys = expected.EnumerateObject().Select(p => p.Name).Except(ignored).ToArray();
                Assert.Equal(keys, actual.EnumerateObject().Select(p => p.Name).Except(ignored));
                foreach (var key in keys) Matches(expected.GetProperty(key), actual.GetProperty(key), rtol, $"{path}.{key}", ignored);
                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{path}: {actual.GetArrayLength()} items, {expected.GetArrayLength()} recorded");
                foreach (var (e, a, i) in expected.EnumerateArray().Zip(actual.EnumerateArray(), Enumerable.Range(0, expected.GetArrayLength())))
                    Matches(e, a, rtol, $"{path}[{i}]", ignored);
                break;
            case JsonValueKind.Number:
                Tolerance.Relative(expected.GetDouble(), actual.GetDouble(), rtol, path);
                break;
            default:
                Assert.True(expected.ToString() == actual.ToString(), $"{path}: {actual} vs {expected}");
                break;
        }
    }

    private static bool IsBoolean(JsonElement e) => e.ValueKind is JsonValueKind.True or JsonValueKind.False;
}
