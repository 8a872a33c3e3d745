using System.Text.Json;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>The embedded store's reading of a well-formed <see cref="PayloadFilter"/> (see its docs for the rules).</summary>
internal static class PayloadFilterMatcher
{
    public static bool Matches(PayloadFilter filter, JsonElement? payload)
    {
        foreach (var condition in filter.Must)
            if (payload is not { } root || !TryResolve(root, condition.Key, out var value) || !MatchesAny(value, condition.AnyOf))
                return false;
        return true;
    }

    private static bool TryResolve(JsonElement root, string key, out JsonElement value)
    {
        value = root;
        foreach (var name in key.Split('.'))
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name, out value))
                return false;
        return true;
    }

    /// <summary>A stored array matches when one of its elements does (as Qdrant matches arrays).</summary>
    private static bool MatchesAny(JsonElement stored, IReadOnlyList<JsonElement> anyOf) =>
        stored.ValueKind == JsonValueKind.Array
            ? stored.EnumerateArray().Any(element => element.ValueKind != JsonValueKind.Array && MatchesAny(element, anyOf))
            : anyOf.Any(wanted => ScalarEquals(stored, wanted));

    private static bool ScalarEquals(JsonElement stored, JsonElement wanted) => wanted.ValueKind switch
    {
        JsonValueKind.String => stored.ValueKind == JsonValueKind.String && stored.ValueEquals(wanted.GetString()),
        JsonValueKind.True or JsonValueKind.False => stored.ValueKind == wanted.ValueKind,
        JsonValueKind.Number => stored.ValueKind == JsonValueKind.Number && NumberEquals(stored, wanted.GetInt64()),
        _ => false,
    };

    private static bool NumberEquals(JsonElement stored, long wanted) =>
        stored.TryGetInt64(out var integer) ? integer == wanted : stored.TryGetDouble(out var real) && real == wanted;
}
