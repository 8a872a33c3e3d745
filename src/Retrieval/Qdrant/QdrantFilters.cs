using System.Text.Json;
using Qdrant.Client.Grpc;
using static Qdrant.Client.Grpc.Conditions;

namespace EmbeddingService.Retrieval.Qdrant;

/// <summary>
/// <see cref="PayloadFilter"/> as a Qdrant filter: every field condition is a "must". A condition with one value is
/// an exact match (keyword for a string, integer, bool); several values of one type are one "any" match (keywords,
/// integers); values of several types are a nested "should" of those matches. Dotted keys ("a.b") are Qdrant's own
/// nested-key syntax and pass through unchanged.
/// </summary>
internal static class QdrantFilters
{
    /// <summary>The Qdrant filter, or null when there is nothing to filter on.</summary>
    /// <exception cref="RetrievalException"><see cref="RetrievalError.InvalidArgument"/> for a key or value Qdrant cannot match.</exception>
    /// <param name="index">The query's index in a batch, carried by the exception.</param>
    public static Filter? ToQdrant(PayloadFilter? filter, int? index = null)
    {
        if (filter is null || filter.Must.Count == 0) return null;
        var result = new Filter();
        foreach (var condition in filter.Must) result.Must.Add(ToQdrant(condition, index));
        return result;
    }

    private static Condition ToQdrant(FieldCondition condition, int? index)
    {
        RetrievalException Invalid(string message) => new(RetrievalError.InvalidArgument, PointChecks.Item(index) + message + ".", index);

        var key = condition.Key;
        if (key.Length == 0 || key.Split('.').Any(segment => segment.Length == 0))
            throw Invalid($"filter key '{key}' is empty or has an empty segment");
        if (key == QdrantPointIds.PayloadKey || key.StartsWith(QdrantPointIds.PayloadKey + ".", StringComparison.Ordinal))
            throw Invalid($"filter key '{key}' uses the reserved payload key '{QdrantPointIds.PayloadKey}'");
        if (condition.AnyOf.Count == 0)
            throw Invalid($"filter on '{key}' lists no values");

        var strings = new List<string>();
        var integers = new List<long>();
        var booleans = new List<bool>();
        foreach (var value in condition.AnyOf)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String: strings.Add(value.GetString()!); break;
                case JsonValueKind.Number when value.TryGetInt64(out var integer): integers.Add(integer); break;
                case JsonValueKind.True or JsonValueKind.False: booleans.Add(value.GetBoolean()); break;
                default: throw Invalid($"filter on '{key}': {value.GetRawText()} is not a string, integer or boolean");
            }
        }

        var alternatives = new List<Condition>();
        if (strings.Count == 1) alternatives.Add(MatchKeyword(key, strings[0]));
        else if (strings.Count > 1) alternatives.Add(Match(key, strings));
        if (integers.Count == 1) alternatives.Add(Match(key, integers[0]));
        else if (integers.Count > 1) alternatives.Add(Match(key, integers));
        alternatives.AddRange(booleans.Distinct().Select(b => Match(key, b)));
        if (alternatives.Count == 1) return alternatives[0];
        var anyOf = new Filter();
        anyOf.Should.AddRange(alternatives);
        return Conditions.Filter(anyOf);
    }
}
