using System.Text.Json;
using EmbeddingService.Training.Masking;

namespace EmbeddingService.Training.Tests.Masking;

/// <summary>
/// Compares one setting's statistics (as written under the manifest's keys) with the official ones recorded in the
/// masking manifest, following its how_to_test_statistically: exact for the deterministic values, within 4 standard
/// errors for means, and the count histograms' total variation against the recorded sampling noise.
/// </summary>
internal static class RecordedMaskingStatistics
{
    public static void AssertMatches(JsonElement recorded, JsonElement ours, string name)
    {
        AssertSameKeys(recorded, ours, name);
        foreach (var key in new[] { "grid", "N", "n_images", "crops_per_batch", "max_num_patches", "upperbound_values", "masked_slot_target_ranges" })
            Assert.True(JsonElement.DeepEquals(Without(recorded.GetProperty(key), "desc"), Without(ours.GetProperty(key), "desc")), $"{name}.{key}");

        double m = ours.GetProperty("samples").GetInt32(), n = recorded.GetProperty("samples").GetInt32();
        var sampleScale = Math.Sqrt(1 / m + 1 / n);
        double Get(JsonElement e, string path) => path.Split('.').Aggregate(e, (x, k) => x.GetProperty(k)).GetDouble();
        void Close(string path, double standardError) =>
            Assert.True(Math.Abs(Get(ours, path) - Get(recorded, path)) <= 4 * standardError,
                $"{name}.{path}: {Get(ours, path)} vs recorded {Get(recorded, path)} (4 SE = {4 * standardError:G3})");

        var withoutMask = Get(recorded, "fraction_of_samples_without_mask");
        Close("fraction_of_samples_without_mask", Math.Sqrt(withoutMask * (1 - withoutMask)) * sampleScale);
        var std = Get(recorded, "masked_fraction.std");
        Close("masked_fraction.mean", std * sampleScale);
        // About half the samples are masked; the spread among them is below the overall one, which includes the zeros.
        Close("masked_fraction_over_masked_samples.mean", std * Math.Sqrt(2 / m + 2 / n));

        // No spread is recorded for per-batch quantities; Popoviciu's inequality bounds it: std ≤ (max − min) / 2.
        double mb = ours.GetProperty("batches").GetInt32(), nb = recorded.GetProperty("batches").GetInt32();
        var batchScale = Math.Sqrt(1 / mb + 1 / nb);
        double HalfRange(string min, string max, int i = -1)
        {
            double At(JsonElement e, string key) => i < 0 ? Get(e, key) : e.GetProperty(key)[i].GetDouble();
            return Math.Max(At(recorded, max) - At(recorded, min), At(ours, max) - At(ours, min)) / 2;
        }
        Close("n_masked_patches_per_batch.mean", HalfRange("n_masked_patches_per_batch.min", "n_masked_patches_per_batch.max") * batchScale);
        var crops = recorded.GetProperty("crops_per_batch").GetInt32();
        for (var i = 0; i < crops; i++)
        {
            var expected = recorded.GetProperty("per_batch_sorted_counts_mean")[i].GetDouble();
            var actual = ours.GetProperty("per_batch_sorted_counts_mean")[i].GetDouble();
            var standardError = HalfRange("per_batch_sorted_counts_min", "per_batch_sorted_counts_max", i) * batchScale;
            Assert.True(Math.Abs(actual - expected) <= 4 * standardError,
                $"{name}.per_batch_sorted_counts_mean[{i}]: {actual} vs recorded {expected} (4 SE = {4 * standardError:G3})");
        }

        // The halves' distance is the noise between two draws of n/2 samples; the noise between ours (m) and the
        // recorded (n) is that times sqrt((1/m + 1/n) / (4/n)).
        var totalVariation = MaskingStatistics.TotalVariation(Histogram(ours), Histogram(recorded));
        var noise = Get(recorded, "count_histogram_total_variation_between_halves") * Math.Sqrt((n / m + 1) / 4);
        Assert.True(totalVariation <= 3 * Math.Max(noise, Get(recorded, "count_histogram_total_variation_between_halves")),
            $"{name}: count histogram total variation {totalVariation:G3} vs recorded noise {noise:G3}");
    }

    private static long[] Histogram(JsonElement setting) =>
        [.. setting.GetProperty("count_histogram").EnumerateArray().Select(c => c.GetInt64())];

    private static void AssertSameKeys(JsonElement recorded, JsonElement ours, string path)
    {
        if (recorded.ValueKind != JsonValueKind.Object) return;
        Assert.Equal(JsonValueKind.Object, ours.ValueKind);
        foreach (var property in recorded.EnumerateObject())
        {
            Assert.True(ours.TryGetProperty(property.Name, out var value), $"{path}.{property.Name} is missing");
            AssertSameKeys(property.Value, value, $"{path}.{property.Name}");
        }
    }

    private static JsonElement Without(JsonElement element, string key) =>
        element.ValueKind == JsonValueKind.Object
            ? JsonSerializer.SerializeToElement(element.EnumerateObject().Where(p => p.Name != key).ToDictionary(p => p.Name, p => p.Value))
            : element;
}
