using System.Text.Json;
using System.Text.Json.Nodes;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// Pages of a job's metrics.jsonl (its per-step records and evaluation records, as the run wrote them) by iteration.
/// A page never splits an iteration (a step and an evaluation can share one), so next_from_step loses nothing.
/// </summary>
public static class MetricsRecords
{
    public const string FileName = "metrics.jsonl";
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 10_000;

    /// <returns>The records with iteration >= <paramref name="fromStep"/>, and the from_step of the next page.</returns>
    public static (IReadOnlyList<string> Records, long NextFromStep) Read(string jobFolder, long fromStep, int limit)
    {
        var path = Path.Combine(jobFolder, FileName);
        var records = new List<string>();
        long? last = null;
        if (File.Exists(path))
        {
            // The run replaces the file when it resumes (atomically): an open reader keeps the old one, whole.
            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            while (reader.ReadLine() is { } line)
            {
                if (IterationOf(line) is not { } iteration || iteration < fromStep) continue;
                if (records.Count >= limit && iteration != last) break;
                records.Add(line);
                last = iteration;
            }
        }
        return (records, last is { } l ? l + 1 : fromStep);
    }

    private static long? IterationOf(string line)
    {
        try
        {
            return JsonNode.Parse(line)?["iteration"]?.GetValue<long>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
