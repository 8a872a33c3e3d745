namespace EmbeddingService.Training.Runs;

/// <summary>
/// Pages of a run's metrics.jsonl (<see cref="MetricsLog"/>: its per-step and evaluation records, as written) by
/// iteration. A page never splits an iteration (a step and an evaluation can share one), so the next page loses nothing.
/// </summary>
public static class MetricsPages
{
    public const string FileName = MetricsLog.FileName;
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 10_000;

    /// <returns>The records with iteration >= <paramref name="fromStep"/>, and the from_step of the next page.</returns>
    public static (IReadOnlyList<string> Records, long NextFromStep) Read(string outputDirectory, long fromStep, int limit)
    {
        var path = Path.Combine(outputDirectory, FileName);
        var records = new List<string>();
        long? last = null;
        if (File.Exists(path))
        {
            // The run replaces the file when it resumes (atomically): an open reader keeps the old one, whole.
            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            while (reader.ReadLine() is { } line)
            {
                if (MetricsLog.IterationOf(line) is not { } iteration || iteration < fromStep) continue;
                if (records.Count >= limit && iteration != last) break;
                records.Add(line);
                last = iteration;
            }
        }
        return (records, last is { } l ? l + 1 : fromStep);
    }
}
