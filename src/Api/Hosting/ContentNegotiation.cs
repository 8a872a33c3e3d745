using EmbeddingService.Api.Problems;
using Microsoft.Net.Http.Headers;

namespace EmbeddingService.Api.Hosting;

/// <summary>
/// Picks the response type of a route that answers in more than one (RFC 9110 §12.5.1): each offered type takes the
/// quality of the most specific Accept range that matches it (type/subtype over type/* over */*); the highest quality
/// wins, equal qualities go to the range listed first, then to the route's own order. No Accept, or one that cannot
/// be parsed, accepts anything; one that accepts none of the offered types is refused (406 not_acceptable).
/// </summary>
public static class ContentNegotiation
{
    /// <param name="offered">The types the route answers with, its preferred (default) one first.</param>
    public static string Choose(HttpRequest request, IReadOnlyList<string> offered)
    {
        if (request.Headers.Accept.Count == 0 || !MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var ranges) || ranges.Count == 0)
            return offered[0];
        var best = offered
            .Select((type, order) => (Type: type, Order: order, Range: DecidingRange(ranges, new MediaTypeHeaderValue(type))))
            .Where(c => c.Range is { Quality: > 0 })
            .OrderByDescending(c => c.Range!.Value.Quality).ThenBy(c => c.Range!.Value.Position).ThenBy(c => c.Order)
            .Select(c => c.Type)
            .FirstOrDefault();
        return best ?? throw new ApiRequestError(ApiProblems.NotAcceptable,
            $"Accept '{request.Headers.Accept}' accepts none of the types this route answers with: {string.Join(", ", offered)}");
    }

    /// <summary>The most specific range that matches <paramref name="type"/>, with its quality and place in the header; null when none does.</summary>
    private static (double Quality, int Position)? DecidingRange(IList<MediaTypeHeaderValue> ranges, MediaTypeHeaderValue type)
    {
        (double Quality, int Position, int Specificity)? found = null;
        for (var position = 0; position < ranges.Count; position++)
        {
            var range = ranges[position];
            var specificity = range.MatchesAllTypes ? 0
                : range.MatchesAllSubTypes ? range.Type.Equals(type.Type, StringComparison.OrdinalIgnoreCase) ? 1 : -1
                : range.MediaType.Equals(type.MediaType, StringComparison.OrdinalIgnoreCase) ? 2 : -1;
            if (specificity > (found?.Specificity ?? -1))
                found = (range.Quality ?? 1.0, position, specificity);
        }
        return found is { } f ? (f.Quality, f.Position) : null;
    }
}
