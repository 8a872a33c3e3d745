using System.Text.RegularExpressions;

namespace EmbeddingService.Retrieval.Qdrant;

/// <summary>The collection names the store accepts: 1 to 64 ASCII letters, digits, '_' or '-', starting with a letter or digit.</summary>
internal static partial class CollectionNames
{
    public static bool IsValid(string name) => Pattern().IsMatch(name);

    public static void Check(string name)
    {
        if (!IsValid(name))
            throw new RetrievalException(RetrievalError.InvalidArgument,
                $"Collection name '{name}' is not 1 to 64 letters, digits, '_' or '-' starting with a letter or digit.");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex Pattern();
}
