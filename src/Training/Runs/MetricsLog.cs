using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EmbeddingService.Training.Runs;

/// <summary>
/// metrics.jsonl: one JSON object per iteration (<see cref="StepMetrics"/>, snake_case) and one per evaluation
/// (<c>{"iteration": i, "evaluation": {...}}</c>). A resumed run first drops the lines of iterations after its
/// checkpoint, which the killed process may have logged, so the file reads as one uninterrupted run.
/// </summary>
internal sealed class MetricsLog : IDisposable
{
    public const string FileName = "metrics.jsonl";

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly StreamWriter _writer;

    public MetricsLog(string outputDirectory, long startIteration)
    {
        var path = Path.Combine(outputDirectory, FileName);
        if (File.Exists(path))
        {
            var kept = File.ReadLines(path).Where(line => IterationOf(line) is { } i && i < startIteration).ToList();
            AtomicFile.Write(path, temporary => File.WriteAllLines(temporary, kept));
        }
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
    }

    public void Step(StepMetrics metrics) => WriteLine(JsonSerializer.Serialize(metrics, JsonOptions));

    public void Evaluation(long iteration, IReadOnlyDictionary<string, double> results) =>
        WriteLine(JsonSerializer.Serialize(new { iteration, evaluation = results }, JsonOptions));

    private void WriteLine(string line)
    {
        _writer.WriteLine(line);
        _writer.Flush();
    }

    /// <summary>The record's "iteration"; null for a line that is not a record (a torn last line).</summary>
    public static long? IterationOf(string line)
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

    public void Dispose() => _writer.Dispose();
}
