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
    /// <summary>The Qdrant filter of a filter <see cref="CollectionRequestRules"/> checked, or null when there is nothing to filter on.</summary>
    public static Filter? ToQdrant(PayloadFilter? filter)
    {
        if (filter is null || filter.Must.Count == 0) return null;
        var result = new Filter();
        foreach (var condition in filter.Must) result.Must.Add(ToQdrant(condition));
        return result;
    }

    private static Condition ToQdrant(FieldCondition condition)
    {
        var key = condition.Key;
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
                default: throw new ArgumentException($"filter value {value.GetRawText()} on '{key}' was not checked by {nameof(CollectionRequestRules)}", nameof(condition));
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
