using System.Text;

namespace EmbeddingService.Retrieval;

/// <summary>What a point id may be, in every store: not blank, no control characters, at most 256 UTF-8 bytes.</summary>
internal static class PointIds
{
    public const int MaxUtf8Bytes = 256;

    /// <summary>Why <paramref name="id"/> is not a valid point id, or null when it is.</summary>
    public static string? Problem(string? id) =>
        string.IsNullOrWhiteSpace(id) ? "the point id is empty or blank"
        : id.Any(char.IsControl) ? $"the point id '{id}' contains a control character"
        : Encoding.UTF8.GetByteCount(id) > MaxUtf8Bytes ? $"the point id is longer than {MaxUtf8Bytes} UTF-8 bytes"
        : null;
}
