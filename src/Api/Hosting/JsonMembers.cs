using System.Text.Json;
using EmbeddingService.Api.Problems;

namespace EmbeddingService.Api.Hosting;

/// <summary>
/// Refuses members a request object does not define, naming them: a misspelt field silently ignored would be served
/// with its default, which the client never asked for.
/// </summary>
public static class JsonMembers
{
    public static void RequireKnown(JsonElement item, string where, IReadOnlyCollection<string> known, int? index = null)
    {
        foreach (var member in item.EnumerateObject())
        {
            if (!known.Contains(member.Name))
                throw Unknown(where, member.Name, known, index);
        }
    }

    public static ApiRequestError Unknown(string where, string name, IReadOnlyCollection<string> known, int? index = null) =>
        new(ApiProblems.InvalidArgument, $"{where}: unknown member \"{name}\"; expected {string.Join(", ", known.Select(k => $"\"{k}\""))}", index);

    /// <summary>Refuses query parameters other than <paramref name="known"/> (none when empty).</summary>
    public static void RequireKnownQuery(HttpRequest request, params string[] known)
    {
        foreach (var name in request.Query.Keys)
        {
            if (!known.Contains(name))
                throw new ApiRequestError(ApiProblems.InvalidArgument,
                    known.Length == 0 ? $"unknown query parameter '{name}'; this route takes none" : $"unknown query parameter '{name}'; expected {string.Join(", ", known)}");
        }
    }
}
