using System.Diagnostics;

namespace EmbeddingService.Training.Train;

/// <summary>Wall time per phase of a step, in milliseconds (the official anchor reports the same phases).</summary>
public sealed class PhaseTimer
{
    private readonly Dictionary<string, double> _milliseconds = [];

    public IReadOnlyDictionary<string, double> Milliseconds => _milliseconds;

    public T Measure<T>(string phase, Func<T> work)
    {
        var start = Stopwatch.GetTimestamp();
        try { return work(); }
        finally { _milliseconds[phase] = _milliseconds.GetValueOrDefault(phase) + Stopwatch.GetElapsedTime(start).TotalMilliseconds; }
    }

    public void Measure(string phase, Action work) => Measure(phase, () => { work(); return 0; });
}
