using System.Diagnostics;
using EmbeddingService.Training.Runs;

namespace EmbeddingService.Cli.Training;

/// <summary>
/// A run's progress on the console: on a terminal one live line (bar, step/total, img/s, ETA, total loss) redrawn in
/// place; otherwise plain lines, one every <see cref="PlainLineInterval"/> and at the first and last step, so logs stay
/// readable. Checkpoints, evaluations and warnings always get a line of their own (warnings on stderr).
/// </summary>
public sealed class ConsoleRunProgress(TextWriter output, TextWriter errors, bool live) : IRunProgress
{
    public static readonly TimeSpan PlainLineInterval = TimeSpan.FromSeconds(10);
    private const int BarWidth = 24;

    private readonly Stopwatch _sinceLine = new();
    private long _start;
    private bool _lineOpen;

    public void Started(long startIteration, long totalIterations, string? resumedFrom)
    {
        _start = startIteration;
        output.WriteLine(resumedFrom is null
            ? $"training: {totalIterations} iterations"
            : $"training: resuming at iteration {startIteration} of {totalIterations} from {resumedFrom}");
    }

    public void Step(StepMetrics metrics)
    {
        var done = metrics.Iteration + 1;
        var rate = (done - _start) / Math.Max(metrics.ElapsedSeconds, 1e-9);
        var eta = TimeSpan.FromSeconds(Math.Round((metrics.TotalIterations - done) / Math.Max(rate, 1e-9)));
        var text = $"{done}/{metrics.TotalIterations} {metrics.Stage} {metrics.ImagesPerSecond:F1} img/s ETA {eta:hh\\:mm\\:ss} loss {metrics.TotalLoss:F4}";
        if (live)
        {
            var filled = (int)(BarWidth * done / Math.Max(metrics.TotalIterations, 1));
            output.Write($"\r[{new string('#', filled)}{new string('-', BarWidth - filled)}] {text}   ");
            _lineOpen = true;
            return;
        }
        if (_sinceLine.IsRunning && _sinceLine.Elapsed < PlainLineInterval && done != metrics.TotalIterations && metrics.Iteration != _start) return;
        output.WriteLine($"step {text}");
        _sinceLine.Restart();
    }

    public void Checkpoint(long iteration, string path) => Line(output, $"checkpoint {iteration} {path}");

    public void Evaluation(long iteration, IReadOnlyDictionary<string, double> results) =>
        Line(output, $"evaluation {iteration} " + string.Join(" ", results.Select(r => $"{r.Key}={r.Value:F4}")));

    public void Warning(long iteration, string message) => Line(errors, $"warning: iteration {iteration}: {message}");

    public void Finished(RunResult result) => Line(output, $"{result.Reason}: {result.Message}");

    private void Line(TextWriter writer, string text)
    {
        if (_lineOpen)
        {
            output.WriteLine();
            _lineOpen = false;
        }
        writer.WriteLine(text);
    }
}
