using System.Text.Json;
using EmbeddingService.Training.Augmentation;

namespace EmbeddingService.Training.Tests.Augmentation;

/// <summary>
/// Our seeded draws against the statistics of 20 000 official DataAugmentationDINO calls on a 640x427 image
/// (distribution.json): rates within 4 standard errors, area and aspect within the KS bound, orders uniform.
/// Parameters only, no pixels: the geometry is all the box statistics depend on.
/// </summary>
public sealed class DistributionTests
{
    private const int Calls = 20_000;
    private static readonly JsonElement Reference =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TrainFixtures.Folder(AugmentFixtures.Set), "distribution.json"))).RootElement;

    private static readonly Lazy<IReadOnlyList<CropDraws>> Draws = new(() =>
    {
        var wh = Reference.GetProperty("image_wh");
        var augmentation = new DataAugmentationDino();
        var random = new SeededAugmentationRandom(20240601);
        return [.. Enumerable.Range(0, Calls).SelectMany(_ => augmentation.Draw(wh[0].GetInt32(), wh[1].GetInt32(), random))];
    });

    [Theory]
    [InlineData(CropKind.Global1, "global1")]
    [InlineData(CropKind.Global2, "global2")]
    [InlineData(CropKind.Local, "local")]
    public void Rates_are_within_four_standard_errors_of_the_codes(CropKind kind, string name)
    {
        var draws = Of(kind);
        var expected = Reference.GetProperty("expected_rates_from_code");
        AssertRate(expected.GetProperty("flip").GetDouble(), draws.Count(d => d.Flip), draws.Count, $"{name} flip");
        AssertRate(expected.GetProperty("jitter").GetDouble(), draws.Count(d => d.Jitter is not null), draws.Count, $"{name} jitter");
        AssertRate(expected.GetProperty("grayscale").GetDouble(), draws.Count(d => d.Grayscale), draws.Count, $"{name} grayscale");
        AssertRate(expected.GetProperty("blur").GetProperty(name).GetDouble(), draws.Count(d => d.BlurSigma is not null), draws.Count, $"{name} blur");
        AssertRate(expected.GetProperty("solarize").GetProperty(name).GetDouble(), draws.Count(d => d.Solarize), draws.Count, $"{name} solarize");
    }

    [Theory]
    [InlineData(CropKind.Global1, "global1")]
    [InlineData(CropKind.Global2, "global2")]
    [InlineData(CropKind.Local, "local")]
    public void Area_fraction_and_aspect_follow_the_official_distribution(CropKind kind, string name)
    {
        var reference = Reference.GetProperty("per_crop_type").GetProperty(name);
        var draws = Of(kind);
        var area = 640.0 * 427.0;
        var fractions = draws.Select(d => d.Box.Height * d.Box.Width / area).ToArray();
        var aspects = draws.Select(d => (double)d.Box.Width / d.Box.Height).ToArray();
        var bound = 1.36 * Math.Sqrt(1.0 / draws.Count + 1.0 / reference.GetProperty("n").GetInt32());

        Assert.True(KsDistance(fractions, reference.GetProperty("area_fraction")) <= bound, $"{name} area fraction KS > {bound}");
        Assert.True(KsDistance(aspects, reference.GetProperty("aspect_ratio_w_over_h")) <= bound, $"{name} aspect KS > {bound}");

        var logs = aspects.Select(a => Math.Log(a)).ToArray();
        var aspectReference = reference.GetProperty("aspect_ratio_w_over_h");
        var logStd = aspectReference.GetProperty("log_std").GetDouble();
        var logMeanError = 4 * logStd * Math.Sqrt(1.0 / draws.Count + 1.0 / reference.GetProperty("n").GetInt32());
        Assert.InRange(logs.Average(), aspectReference.GetProperty("log_mean").GetDouble() - logMeanError, aspectReference.GetProperty("log_mean").GetDouble() + logMeanError);
        Assert.InRange(StandardDeviation(logs), 0.95 * logStd, 1.05 * logStd);
        Assert.InRange(fractions.Max(), 0, reference.GetProperty("area_fraction").GetProperty("max").GetDouble() + 0.01);
    }

    [Fact]
    public void Blur_sigma_and_jitter_factors_are_uniform_on_their_ranges()
    {
        var sigmas = Draws.Value.Where(d => d.BlurSigma is not null).Select(d => d.BlurSigma!.Value).ToArray();
        AssertUniform(sigmas, 0.1, 2.0, "blur sigma");
        var jitters = Draws.Value.Where(d => d.Jitter is not null).Select(d => d.Jitter!).ToArray();
        AssertUniform([.. jitters.Select(j => j.Brightness)], 0.6, 1.4, "brightness");
        AssertUniform([.. jitters.Select(j => j.Contrast)], 0.6, 1.4, "contrast");
        AssertUniform([.. jitters.Select(j => j.Saturation)], 0.8, 1.2, "saturation");
        AssertUniform([.. jitters.Select(j => j.Hue)], -0.1, 0.1, "hue");
    }

    [Fact]
    public void Jitter_orders_are_uniform_over_the_24_permutations()
    {
        var counts = Draws.Value.Where(d => d.Jitter is not null)
            .GroupBy(d => string.Concat(d.Jitter!.Order.Select(op => (int)op)))
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(24, counts.Count);
        var expected = counts.Values.Sum() / 24.0;
        var chiSquare = counts.Values.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chiSquare < 60, $"chi-square {chiSquare:F1} over 23 degrees of freedom (p < 1e-4 above 60)");
    }

    private static List<CropDraws> Of(CropKind kind) => [.. Draws.Value.Where(d => d.Kind == kind)];

    private static void AssertRate(double expected, int count, int n, string what)
    {
        var rate = (double)count / n;
        var standardError = Math.Sqrt(expected * (1 - expected) / n);
        Assert.True(Math.Abs(rate - expected) <= 4 * standardError, $"{what}: {rate:F4} vs {expected} (4 se = {4 * standardError:F4})");
    }

    private static void AssertUniform(double[] values, double low, double high, string what)
    {
        Assert.True(values.Min() >= low && values.Max() < high, $"{what} outside [{low}, {high})");
        var standardError = (high - low) / Math.Sqrt(12 * values.Length);
        Assert.True(Math.Abs(values.Average() - (low + high) / 2) <= 4 * standardError, $"{what} mean {values.Average()}");
    }

    /// <summary>The largest CDF difference at the reference histogram's edges (the reference keeps only the histogram).</summary>
    private static double KsDistance(double[] values, JsonElement reference)
    {
        var edges = reference.GetProperty("hist_edges").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var counts = reference.GetProperty("hist_counts").EnumerateArray().Select(c => c.GetDouble()).ToArray();
        var total = counts.Sum();
        var sorted = values.Order().ToArray();
        double referenceCumulative = 0, distance = 0;
        for (var k = 1; k < edges.Length; k++)
        {
            referenceCumulative += counts[k - 1];
            var below = k == edges.Length - 1 ? sorted.Count(v => v <= edges[k]) : LowerBound(sorted, edges[k]);
            distance = Math.Max(distance, Math.Abs((double)below / sorted.Length - referenceCumulative / total));
        }
        return distance;
    }

    private static int LowerBound(double[] sorted, double value)
    {
        var index = Array.BinarySearch(sorted, value);
        if (index < 0) return ~index;
        while (index > 0 && sorted[index - 1] == value) index--;
        return index;
    }

    private static double StandardDeviation(double[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
    }
}
