namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// Statistics of many crops' draws, per crop kind, under the keys of the augment-parity fixtures' distribution.json:
/// area fraction and aspect (moments, quantiles, histograms), box centres, rates with standard errors, blur sigma,
/// jitter factors and the counts of the 24 jitter orders.
/// </summary>
public static class DrawDistribution
{
    private const int AreaBins = 50;
    private const int AspectBins = 30;
    private const double AspectLow = 0.7;
    private const double AspectHigh = 1.45;

    public static Dictionary<string, object?> Summarize(IReadOnlyList<CropDraws> draws, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(draws);
        return new()
        {
            ["global1"] = OfKind(draws.Where(d => d.Kind == CropKind.Global1).ToArray(), width, height),
            ["global2"] = OfKind(draws.Where(d => d.Kind == CropKind.Global2).ToArray(), width, height),
            ["local"] = OfKind(draws.Where(d => d.Kind == CropKind.Local).ToArray(), width, height),
        };
    }

    private static Dictionary<string, object?> OfKind(CropDraws[] draws, int width, int height)
    {
        var fallback = RandomResizedCropParams.Fallback(width, height);
        var area = (double)width * height;
        var fractions = draws.Select(d => d.Box.Height * (double)d.Box.Width / area).ToArray();
        var aspects = draws.Select(d => d.Box.Width / (double)d.Box.Height).ToArray();
        var logAspects = aspects.Select(a => Math.Log(a)).ToArray();
        var jitters = draws.Select(d => d.Jitter).OfType<ColorJitterDraw>().ToArray();
        var sigmas = draws.Select(d => d.BlurSigma).OfType<double>().ToArray();
        var areaEdges = Enumerable.Range(0, AreaBins + 1).Select(k => k / (double)AreaBins).ToArray();
        var aspectEdges = Enumerable.Range(0, AspectBins + 1)
            .Select(k => k == AspectBins ? AspectHigh : AspectLow * Math.Pow(AspectHigh / AspectLow, k / (double)AspectBins)).ToArray();

        var areaStats = Moments(fractions);
        areaStats["hist_edges"] = areaEdges;
        areaStats["hist_counts"] = Histogram(fractions, areaEdges);
        areaStats["quantiles_5_25_50_75_95"] = new[] { 5, 25, 50, 75, 95 }.Select(q => Quantile(fractions, q / 100.0)).ToArray();
        var aspectStats = Moments(aspects);
        aspectStats["hist_edges"] = aspectEdges;
        aspectStats["hist_counts"] = Histogram(aspects, aspectEdges);
        aspectStats["log_mean"] = Mean(logAspects);
        aspectStats["log_std"] = Std(logAspects);

        return new()
        {
            ["n"] = draws.Length,
            ["area_fraction"] = areaStats,
            ["aspect_ratio_w_over_h"] = aspectStats,
            ["box_center_y_frac"] = Moments([.. draws.Select(d => (d.Box.Top + d.Box.Height / 2.0) / height)]),
            ["box_center_x_frac"] = Moments([.. draws.Select(d => (d.Box.Left + d.Box.Width / 2.0) / width)]),
            ["box_equals_fallback_box_count"] = draws.Count(d => d.Box == fallback),
            ["flip"] = Rate(draws.Count(d => d.Flip), draws.Length),
            ["jitter_applied"] = Rate(jitters.Length, draws.Length),
            ["jitter_factors_when_applied"] = jitters.Length == 0 ? null : new Dictionary<string, object?>
            {
                ["brightness"] = Moments([.. jitters.Select(j => j.Brightness)]),
                ["contrast"] = Moments([.. jitters.Select(j => j.Contrast)]),
                ["saturation"] = Moments([.. jitters.Select(j => j.Saturation)]),
                ["hue"] = Moments([.. jitters.Select(j => j.Hue)]),
            },
            ["jitter_order_counts"] = OrderCounts(jitters),
            ["grayscale"] = Rate(draws.Count(d => d.Grayscale), draws.Length),
            ["blur"] = Rate(sigmas.Length, draws.Length),
            ["blur_sigma_when_applied"] = sigmas.Length == 0 ? null : Moments(sigmas),
            ["solarize"] = Rate(draws.Count(d => d.Solarize), draws.Length),
        };
    }

    private static SortedDictionary<string, int> OrderCounts(ColorJitterDraw[] jitters)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var order in Permutations([0, 1, 2, 3]))
            counts[string.Concat(order)] = 0;
        foreach (var jitter in jitters)
            counts[string.Concat(jitter.Order.Select(op => (int)op))]++;
        return counts;
    }

    private static IEnumerable<int[]> Permutations(int[] items) =>
        items.Length <= 1
            ? [items]
            : items.SelectMany(first => Permutations([.. items.Where(i => i != first)]).Select(rest => (int[])[first, .. rest]));

    private static Dictionary<string, object?> Rate(int count, int n)
    {
        var rate = n == 0 ? 0 : (double)count / n;
        return new() { ["rate"] = rate, ["count"] = count, ["n"] = n, ["std_err"] = n == 0 ? 0 : Math.Sqrt(rate * (1 - rate) / n) };
    }

    private static Dictionary<string, object?> Moments(double[] values) => new()
    {
        ["mean"] = Mean(values),
        ["std"] = Std(values),
        ["min"] = values.Length == 0 ? null : values.Min(),
        ["max"] = values.Length == 0 ? null : values.Max(),
    };

    private static double? Mean(double[] values) => values.Length == 0 ? null : values.Average();

    // numpy's default: the population standard deviation (ddof 0).
    private static double? Std(double[] values)
    {
        if (values.Length == 0) return null;
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
    }

    // numpy's default (linear) quantile.
    private static double? Quantile(double[] values, double q)
    {
        if (values.Length == 0) return null;
        var sorted = values.Order().ToArray();
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    // numpy.histogram: half-open bins, the last one closed; values outside the edges are not counted.
    private static int[] Histogram(double[] values, double[] edges)
    {
        var counts = new int[edges.Length - 1];
        foreach (var value in values)
        {
            if (value < edges[0] || value > edges[^1]) continue;
            var index = Array.BinarySearch(edges, value);
            var bin = index >= 0 ? index : ~index - 1;
            counts[Math.Min(bin, counts.Length - 1)]++;
        }
        return counts;
    }
}
