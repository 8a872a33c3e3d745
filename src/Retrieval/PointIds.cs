using System.Text;

namespace EmbeddingService.Retrieval;

/// <summary>
/// What a point id may be, in every store; the one place the rule is written down. Any id: not blank, no control
/// characters, at most 256 UTF-8 bytes. A new point's id (upsert) besides: no '/', and not "." or "..", because REST
/// addresses a point as /v1/collections/{name}/points/{id}, where '/' ends the segment (even sent as %2F, which
/// ASP.NET Core leaves undecoded) and clients and Kestrel resolve "." and ".." away. Get and delete take any id, so
/// points stored before the second rule stay readable and deletable (over gRPC).
/// </summary>
internal static class PointIds
{
    public const int MaxUtf8Bytes = 256;

    /// <summary>Why <paramref name="id"/> cannot name a point, or null when it can.</summary>
    public static string? Problem(string? id) =>
        string.IsNullOrWhiteSpace(id) ? "the point id is empty or blank"
        : id.Any(char.IsControl) ? $"the point id '{id}' contains a control character"
        : Encoding.UTF8.GetByteCount(id) > MaxUtf8Bytes ? $"the point id is longer than {MaxUtf8Bytes} UTF-8 bytes"
        : null;

    /// <summary>Why <paramref name="id"/> cannot be given to a new point, or null when it can.</summary>
    public static string? ProblemForNew(string? id) =>
        Problem(id)
        ?? (id!.Contains('/') ? $"the point id '{id}' contains '/', which cannot be part of a REST path segment (/v1/collections/{{name}}/points/{{id}}); use another character"
            : id is "." or ".." ? $"the point id '{id}' is a relative path segment, which clients resolve away in /v1/collections/{{name}}/points/{{id}}; use another id"
            : null);
}
