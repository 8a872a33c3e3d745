using System.Diagnostics;

namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// Adds the time since the previous lap to the stage that just ended. Benchmarks pass one through the
/// preprocessing path; the service passes none, so a lap costs it one null check.
/// </summary>
internal sealed class StageClock
{
    private readonly long[] _ticks = new long[Enum.GetValues<PreprocessStage>().Length];
    private long _last = Stopwatch.GetTimestamp();

    public void Restart()
    {
        Array.Clear(_ticks);
        _last = Stopwatch.GetTimestamp();
    }

    public void Lap(PreprocessStage stage)
    {
        var now = Stopwatch.GetTimestamp();
        _ticks[(int)stage] += now - _last;
        _last = now;
    }

    public double Milliseconds(PreprocessStage stage) => _ticks[(int)stage] * 1000.0 / Stopwatch.Frequency;
}
