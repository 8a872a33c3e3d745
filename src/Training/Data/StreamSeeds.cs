namespace EmbeddingService.Training.Data;

/// <summary>
/// Independent seeds for the loader's random streams, each a pure function of (run seed, stream, index): the epoch
/// permutations, every sample's augmentation and every batch's masks. SplitMix64 mixing, so neighbouring indices give
/// unrelated seeds.
/// </summary>
internal static class StreamSeeds
{
    public const ulong Permutation = 0x5045524D; // "PERM"
    public const ulong Augmentation = 0x4155474D; // "AUGM"
    public const ulong Masks = 0x4D41534B; // "MASK"

    /// <summary>A non-negative seed for <see cref="Random"/>.</summary>
    public static int Of(int seed, ulong stream, long index) =>
        (int)(SplitMix64(SplitMix64((ulong)(uint)seed ^ (stream << 32)) ^ (ulong)index) >> 33);

    private static ulong SplitMix64(ulong x)
    {
        x += 0x9E3779B97F4A7C15;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
        return x ^ (x >> 31);
    }
}
