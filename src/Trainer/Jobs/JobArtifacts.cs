using EmbeddingService.Training.Runs;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// The files a job produced in its folder, by kind: checkpoints/ (checkpoint), export/ (model), summary.json,
/// metrics.jsonl, spec.json and job.log. Paths are relative to the job's folder and '/'-separated; a download names one
/// of them and nothing else — no "..", no absolute path, no symbolic link (whose target could be anywhere).
/// </summary>
public static class JobArtifacts
{
    public static IReadOnlyList<JobArtifact> List(string jobFolder)
    {
        if (!Directory.Exists(jobFolder)) return [];
        var artifacts = new List<JobArtifact>();
        var files = Directory.EnumerateFiles(jobFolder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint });
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(jobFolder, file).Replace(Path.DirectorySeparatorChar, '/');
            if (KindOf(relative) is not { } kind) continue;
            var info = new FileInfo(file);
            artifacts.Add(new JobArtifact(relative, kind, info.Length, info.LastWriteTimeUtc));
        }
        return artifacts.OrderBy(a => a.Path, StringComparer.Ordinal).ToList();
    }

    /// <summary>The full path of the artifact <paramref name="path"/> names.</summary>
    /// <exception cref="JobRequestException">InvalidArgument for a path that leaves the folder; ArtifactNotFound for anything not an artifact.</exception>
    public static string Resolve(string jobFolder, string path)
    {
        if (path.Length == 0)
            throw new JobRequestException(JobError.InvalidArgument, "path: the artifact path is required (as the job's artifact list gives it)");
        var parts = path.Split('/');
        if (path.StartsWith('/') || Path.IsPathRooted(path) || path.Contains('\\') || parts.Any(p => p is "" or "." or ".."))
            throw new JobRequestException(JobError.InvalidArgument,
                $"path: '{path}' must be relative to the job's folder, '/'-separated, without '.', '..' or empty parts (as the job's artifact list gives it)");
        var full = Path.Combine([Path.GetFullPath(jobFolder), .. parts]);
        // No component may be a link: a linked folder on the way could lead out of the job's folder as well as a linked file.
        var unlinked = Path.Combine([DataRoot.RealPath(Path.GetFullPath(jobFolder)), .. parts]);
        if (KindOf(path) is null || !File.Exists(full) || DataRoot.RealPath(full) != unlinked)
            throw new JobRequestException(JobError.ArtifactNotFound, $"the job has no artifact '{path}'; the job's artifact list gives its files");
        return full;
    }

    private static string? KindOf(string relative) => relative switch
    {
        _ when relative.StartsWith(RunCheckpoint.Folder + "/", StringComparison.Ordinal) && !IsTemporary(relative) => "checkpoint",
        _ when relative.StartsWith(RunExport.Folder + "/", StringComparison.Ordinal) && !IsTemporary(relative) => "model",
        TrainingRun.SummaryFile => "summary",
        MetricsPages.FileName => "metrics",
        TrainingRun.SpecFile => "spec",
        JobLog.FileName => "log",
        _ => null,
    };

    /// <summary>A file being written atomically (beside its name, then renamed over it).</summary>
    private static bool IsTemporary(string relative) => relative.EndsWith(".partial", StringComparison.Ordinal);
}

/// <summary>One file of a job's folder: its relative '/' path, kind, size and last write.</summary>
public sealed record JobArtifact(string Path, string Kind, long SizeBytes, DateTimeOffset ModifiedAt);
