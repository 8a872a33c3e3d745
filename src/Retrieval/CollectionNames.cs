using System.Text.RegularExpressions;

namespace EmbeddingService.Retrieval;

/// <summary>
/// Collection names are directory names: a letter or digit, then up to 62 letters, digits, '_', '.' or '-'.
/// The same rule for every store. Names never start with '.', which leaves dot-names free for the store's own temporary and tombstone directories.
/// </summary>
internal static partial class CollectionNames
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex Pattern();

    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    public static void Validate(string? name)
    {
        if (!IsValid(name))
            throw new RetrievalException(RetrievalError.InvalidArgument,
                $"invalid collection name '{name}': use 1 to 63 letters, digits, '_', '.' or '-', starting with a letter or digit");
    }
}
