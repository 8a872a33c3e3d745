namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// Trainer:DataRoot, the one folder a submitted spec may read from (datasets, evaluation folders, teachers, weights).
/// A spec path resolves against it when relative, and is refused when its real path — after "..", and after every
/// symbolic link along it — lies outside it. The resolved real path is what the job then reads, so a link swapped
/// after the check cannot redirect it.
/// </summary>
public sealed class DataRoot
{
    private const int MaxLinks = 40;

    /// <summary>Creates the folder when missing.</summary>
    public DataRoot(string path)
    {
        Directory.CreateDirectory(path);
        Path = RealPath(System.IO.Path.GetFullPath(path));
    }

    /// <summary>The root's own real path.</summary>
    public string Path { get; }

    /// <summary>The real path of <paramref name="value"/> (relative: under the root), refused when outside the root.</summary>
    /// <param name="jsonPath">The spec field, for the refusal's message.</param>
    public string Resolve(string jsonPath, string value)
    {
        var real = RealPath(System.IO.Path.GetFullPath(value, Path));
        return Contains(Path, real)
            ? real
            : throw new JobRequestException(JobError.PathOutsideDataRoot,
                $"{jsonPath}: '{value}' resolves to '{real}', outside Trainer:DataRoot '{Path}'; put the data under it or use a path relative to it");
    }

    public static bool Contains(string root, string path) =>
        path == root || path.StartsWith(root.EndsWith('/') ? root : root + '/', StringComparison.Ordinal);

    /// <summary>
    /// <paramref name="fullPath"/> with every symbolic link along it replaced by its target (as realpath(3) does); the
    /// part past the first missing component stays as written.
    /// </summary>
    public static string RealPath(string fullPath)
    {
        var path = fullPath;
        for (var links = 0; links <= MaxLinks; links++)
        {
            var root = System.IO.Path.GetPathRoot(path)!;
            var parts = path[root.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
            var current = root;
            string? relinked = null;
            for (var i = 0; i < parts.Length && relinked is null; i++)
            {
                var next = System.IO.Path.Combine(current, parts[i]);
                if (new FileInfo(next).LinkTarget is { } target)
                    relinked = System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetFullPath(target, current), string.Join('/', parts[(i + 1)..])));
                else if (!File.Exists(next) && !Directory.Exists(next))
                    return System.IO.Path.Combine([next, .. parts[(i + 1)..]]);
                else
                    current = next;
            }
            if (relinked is null) return current;
            path = relinked;
        }
        throw new JobRequestException(JobError.InvalidSpec, $"'{fullPath}': more than {MaxLinks} symbolic links along the path");
    }
}
