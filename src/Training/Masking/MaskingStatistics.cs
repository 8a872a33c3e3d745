using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Masking;

/// <summary>
/// Distribution facts of the collated masks over many batches, under the keys of the masking fixture's
/// manifest settings (dinov2-train-parity/masking), so they can be set side by side with the official ones.
/// </summary>
public sealed record MaskingStatistics(
    [property: JsonPropertyName("grid")] int[] Grid,
    [property: JsonPropertyName("N")] int N,
    [property: JsonPropertyName("n_images")] int NImages,
    [property: JsonPropertyName("crops_per_batch")] int CropsPerBatch,
    [property: JsonPropertyName("batches")] int Batches,
    [property: JsonPropertyName("samples")] int Samples,
    [property: JsonPropertyName("max_num_patches")] double MaxNumPatches,
    [property: JsonPropertyName("masked_fraction")] ValueSummary MaskedFraction,
    [property: JsonPropertyName("masked_fraction_over_masked_samples")] ValueSummary MaskedFractionOverMaskedSamples,
    [property: JsonPropertyName("fraction_of_samples_without_mask")] double FractionOfSamplesWithoutMask,
    [property: JsonPropertyName("count_histogram")] long[] CountHistogram,
    [property: JsonPropertyName("count_histogram_total_variation_between_halves")] double CountHistogramTotalVariationBetweenHalves,
    [property: JsonPropertyName("per_batch_sorted_counts_mean")] double[] PerBatchSortedCountsMean,
    [property: JsonPropertyName("per_batch_sorted_counts_min")] int[] PerBatchSortedCountsMin,
    [property: JsonPropertyName("per_batch_sorted_counts_max")] int[] PerBatchSortedCountsMax,
    [property: JsonPropertyName("n_masked_patches_per_batch")] ValueSummary NMaskedPatchesPerBatch,
    [property: JsonPropertyName("upperbound_values")] int[] UpperboundValues,
    [property: JsonPropertyName("masked_slot_target_ranges")] SlotTargetRanges MaskedSlotTargetRanges)
{
    /// <summary>Collates <paramref name="batches"/> batches of <paramref name="cropsPerBatch"/> global crops (from <paramref name="nImages"/> images) and summarises their masks.</summary>
    public static MaskingStatistics Measure(BatchCollator collator, int nImages, int cropsPerBatch, int batches)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 2);
        var n = collator.NTokens;
        var counts = new int[batches][];
        var nMasked = new long[batches];
        var upperbounds = new SortedSet<int>();
        for (var b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            using var batch = collator.CollateMasks(cropsPerBatch);
            counts[b] = batch.CollatedMasks.sum(-1).to(int32).data<int>().ToArray();
            nMasked[b] = batch.NMaskedPatches.item<long>();
            upperbounds.Add(batch.Upperbound);
        }

        var fractions = counts.SelectMany(c => c).Select(c => (double)c / n).ToArray();
        var maskedFractions = fractions.Where(f => f > 0).ToArray();
        var sorted = counts.Select(c => c.Order().ToArray()).ToArray();
        var generator = collator.MaskGenerator;
        return new MaskingStatistics(
            [generator.Height, generator.Width], n, nImages, cropsPerBatch, batches, fractions.Length, generator.MaxNumPatches,
            new ValueSummary(fractions.Average(), fractions.Min(), fractions.Max(), PopulationStd(fractions)),
            new ValueSummary(maskedFractions.Length > 0 ? maskedFractions.Average() : 0),
            fractions.Count(f => f == 0) / (double)fractions.Length,
            Histogram(counts, n),
            TotalVariation(Histogram(counts[..(batches / 2)], n), Histogram(counts[(batches / 2)..], n)),
            Enumerable.Range(0, cropsPerBatch).Select(i => sorted.Average(s => s[i])).ToArray(),
            Enumerable.Range(0, cropsPerBatch).Select(i => sorted.Min(s => s[i])).ToArray(),
            Enumerable.Range(0, cropsPerBatch).Select(i => sorted.Max(s => s[i])).ToArray(),
            new ValueSummary(nMasked.Average(), nMasked.Min(), nMasked.Max()),
            [.. upperbounds],
            SlotTargetRanges.Of(collator, cropsPerBatch));
    }

    /// <summary>Crops per masked-patch count 0..N.</summary>
    public static long[] Histogram(IEnumerable<int[]> countsPerBatch, int n)
    {
        var histogram = new long[n + 1];
        foreach (var count in countsPerBatch.SelectMany(c => c)) histogram[count]++;
        return histogram;
    }

    /// <summary>Half the L1 distance between the two histograms normalised to sum 1.</summary>
    public static double TotalVariation(IReadOnlyList<long> p, IReadOnlyList<long> q)
    {
        if (p.Count != q.Count) throw new ArgumentException($"histograms of {p.Count} and {q.Count} bins");
        double pTotal = p.Sum(), qTotal = q.Sum();
        return 0.5 * p.Zip(q).Sum(pq => Math.Abs(pq.First / pTotal - pq.Second / qTotal));
    }

    private static double PopulationStd(double[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
    }
}
