namespace EmbeddingService.Training;

/// <summary>
/// Every random choice of a run comes from a seed derived from (run seed, index, stream): the loader's epoch
/// permutations, each sample's augmentation, each batch's masks, step i's stochastic-depth subsets, a stage's initial
/// weights. A resumed run therefore needs no random-generator state beyond the iteration its checkpoint records, and
/// one draw does not depend on how many draws came before it (or on which worker thread made it). The mix is
/// SplitMix64's finaliser over the three values, so neighbouring indices give unrelated seeds.
/// </summary>
public static class DerivedSeeds
{
    /// <summary>Stochastic-depth subsets of a step (index: iteration).</summary>
    public const ulong DropPath = 1;
    /// <summary>A synthetic batch's crops and masks (index: iteration).</summary>
    public const ulong SyntheticData = 2;
    /// <summary>A stage's fresh weights, the student and new heads (index: the stage's first iteration).</summary>
    public const ulong Initialization = 3;
    /// <summary>The loader's sample order (index: epoch).</summary>
    public const ulong Permutation = 4;
    /// <summary>One sample's crops and colour draws (index: position in the sample stream).</summary>
    public const ulong Augmentation = 5;
    /// <summary>One batch's iBOT masks (index: iteration).</summary>
    public const ulong Masks = 6;

    public static ulong Derive(long seed, long index, ulong stream) =>
        Mix((ulong)seed ^ Mix((ulong)index + 0x9E3779B97F4A7C15UL * (stream + 1)));

    /// <summary>As <see cref="Derive"/>, as a non-negative long for APIs that take one.</summary>
    public static long DeriveLong(long seed, long index, ulong stream) => (long)(Derive(seed, index, stream) >> 1);

    /// <summary>As <see cref="Derive"/>, as a non-negative int for <see cref="Random"/>.</summary>
    public static int DeriveInt(long seed, long index, ulong stream) => (int)(Derive(seed, index, stream) >> 33);

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
