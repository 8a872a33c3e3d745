namespace EmbeddingService.Training.Data;

/// <summary>
/// The infinite sample stream of the official InfiniteSampler (shuffle on): epoch after epoch, each a permutation of the
/// dataset, read without a break between epochs. Unlike the official one, whose generator runs on from epoch to epoch,
/// epoch e's permutation is seeded by (seed, e) alone, so any position is reached without replaying the ones before it
/// (a resumed run starts where it stopped). Thread-safe; keeps the few most recent permutations.
/// </summary>
internal sealed class SampleOrder(int count, long seed)
{
    private const int CachedEpochs = 4;

    private readonly Lock _gate = new();
    private readonly Dictionary<long, int[]> _permutations = [];

    public int Count { get; } = count;

    /// <summary>The dataset index at stream position <paramref name="position"/>.</summary>
    public int ImageAt(long position) => Permutation(position / Count)[(int)(position % Count)];

    /// <summary>The order of epoch <paramref name="epoch"/>: a Fisher-Yates shuffle seeded by (seed, epoch).</summary>
    public int[] Permutation(long epoch)
    {
        lock (_gate)
        {
            if (_permutations.TryGetValue(epoch, out var cached)) return cached;
        }
        var permutation = new int[Count];
        for (var i = 0; i < Count; i++) permutation[i] = i;
        var random = new Random(DerivedSeeds.DeriveInt(seed, epoch, DerivedSeeds.Permutation));
        for (var i = Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (permutation[i], permutation[j]) = (permutation[j], permutation[i]);
        }
        lock (_gate)
        {
            if (_permutations.Count >= CachedEpochs) _permutations.Remove(_permutations.Keys.Min());
            _permutations[epoch] = permutation;
        }
        return permutation;
    }
}
