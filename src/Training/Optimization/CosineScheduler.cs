namespace EmbeddingService.Training.Optimization;

/// <summary>
/// A per-iteration value (dinov2 utils/utils.py CosineScheduler): <c>freezeIters</c> zeros, a linear warm-up from
/// <c>startWarmupValue</c> that reaches <c>baseValue</c> at its last step, then a half cosine from <c>baseValue</c>
/// towards <c>finalValue</c>; <c>finalValue</c> from <c>totalIters</c> on.
/// </summary>
public sealed class CosineScheduler
{
    private readonly double[] schedule;

    public CosineScheduler(double baseValue, double finalValue, int totalIters, int warmupIters = 0, double startWarmupValue = 0, int freezeIters = 0)
    {
        var cosineIters = totalIters - warmupIters - freezeIters;
        if (warmupIters < 0 || freezeIters < 0 || cosineIters < 0)
            throw new ArgumentException($"total iterations ({totalIters}) must cover warm-up ({warmupIters}) and freeze ({freezeIters}), none negative");
        FinalValue = finalValue;
        schedule = new double[totalIters];
        Linspace(startWarmupValue, baseValue, schedule.AsSpan(freezeIters, warmupIters));
        for (var i = 0; i < cosineIters; i++)
            schedule[freezeIters + warmupIters + i] = finalValue + 0.5 * (baseValue - finalValue) * (1 + Math.Cos(Math.PI * i / cosineIters));
    }

    private CosineScheduler(double[] schedule, double finalValue)
    {
        this.schedule = schedule;
        FinalValue = finalValue;
    }

    public double FinalValue { get; }

    public int TotalIters => schedule.Length;

    public double this[int it] => it >= schedule.Length ? FinalValue : schedule[it];

    /// <summary>This schedule with its first <paramref name="iterations"/> values set to 0 (the frozen last layer's lr).</summary>
    public CosineScheduler WithFirstIterationsZeroed(int iterations)
    {
        var zeroed = (double[])schedule.Clone();
        Array.Clear(zeroed, 0, Math.Min(Math.Max(iterations, 0), zeroed.Length));
        return new CosineScheduler(zeroed, FinalValue);
    }

    /// <summary>numpy.linspace with its end point: start + i·step, the last value exactly <paramref name="stop"/>.</summary>
    private static void Linspace(double start, double stop, Span<double> values)
    {
        if (values.Length == 0) return;
        var step = (stop - start) / Math.Max(values.Length - 1, 1);
        for (var i = 0; i < values.Length; i++) values[i] = i * step + start;
        if (values.Length > 1) values[^1] = stop;
    }
}
