using System.Text.Json.Nodes;

namespace EmbeddingService.Cli.Load;

/// <summary>Percentiles (nearest rank), maximum and mean of a set of milliseconds, as a JSON object.</summary>
public static class LatencySummary
{
    public static JsonObject Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        double? Percentile(double p) => sorted.Length == 0 ? null : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)], 3);
        return new JsonObject
        {
            ["p50"] = Percentile(0.50),
            ["p95"] = Percentile(0.95),
            ["p99"] = Percentile(0.99),
            ["max"] = sorted.Length == 0 ? null : Math.Round(sorted[^1], 3),
            ["mean"] = sorted.Length == 0 ? null : Math.Round(sorted.Average(), 3),
        };
    }
}
