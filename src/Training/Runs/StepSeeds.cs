namespace EmbeddingService.Training.Runs;

/// <summary>
/// Every random choice of a run comes from a seed derived from (run seed, iteration, stream): batch i's crops and masks,
/// step i's stochastic-depth subsets, a stage's initial weights. A resumed run therefore needs no random-generator
/// state beyond the iteration its checkpoint records, and a step's draws do not depend on how many draws earlier steps
/// made. The mix is SplitMix64's finaliser over the three values.
/// </summary>
public static class StepSeeds
{
    /// <summary>Stochastic-depth subsets of a step.</summary>
    public const ulong DropPath = 1;
    /// <summary>A synthetic batch's crops and masks.</summary>
    public const ulong SyntheticData = 2;
    /// <summary>A stage's fresh weights (the student, new heads).</summary>
    public const ulong Initialization = 3;

    public static ulong Derive(long seed, long iteration, ulong stream) =>
        Mix((ulong)seed ^ Mix((ulong)iteration + 0x9E3779B97F4A7C15UL * (stream + 1)));

    /// <summary>As <see cref="Derive"/>, as a non-negative long for APIs that take one.</summary>
    public static long DeriveLong(long seed, long iteration, ulong stream) => (long)(Derive(seed, iteration, stream) >> 1);

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
