using System.Text.Json;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// job.log in each job's folder: what the worker reports about the job (state changes, starts and resumes, checkpoints,
/// warnings, evaluation results, the failure), one JSON object a line, appended and flushed as it happens. Lines are
/// numbered from 1 by their position, so a reader pages with the last number it saw.
/// </summary>
public sealed class JobLog(TimeProvider time)
{
    public const string FileName = "job.log";
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 10_000;

    private readonly Lock _gate = new();

    public void Information(JobRecord job, string message) => Append(job.OutputDirectory, JobLogLevel.Information, message);

    public void Warning(JobRecord job, string message) => Append(job.OutputDirectory, JobLogLevel.Warning, message);

    public void Append(string jobFolder, JobLogLevel level, string message)
    {
        var line = JsonSerializer.Serialize(new Entry(time.GetUtcNow(), Name(level), message));
        lock (_gate)
        {
            Directory.CreateDirectory(jobFolder);
            File.AppendAllText(Path.Combine(jobFolder, FileName), line + "\n");
        }
    }

    /// <summary>Up to <paramref name="limit"/> lines after line <paramref name="afterLine"/>; a torn last line (a killed worker's) is skipped.</summary>
    public IReadOnlyList<JobLogLine> Read(string jobFolder, long afterLine, int limit)
    {
        var path = Path.Combine(jobFolder, FileName);
        if (!File.Exists(path)) return [];
        var lines = new List<JobLogLine>();
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        var number = 0L;
        while (lines.Count < limit && reader.ReadLine() is { } text)
        {
            number++;
            if (number <= afterLine) continue;
            if (Parse(text) is { } entry) lines.Add(new JobLogLine(number, entry.At, entry.Level, entry.Message));
        }
        return lines;
    }

    public static string Name(JobLogLevel level) => level.ToString().ToLowerInvariant();

    private static Entry? Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<Entry>(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Entry(DateTimeOffset At, string Level, string Message);
}

public enum JobLogLevel
{
    Information,
    Warning,
    Error,
}

/// <summary>One line of a job's log, numbered from 1.</summary>
public sealed record JobLogLine(long Number, DateTimeOffset At, string Level, string Message);
