using System.Diagnostics;
using System.Text.Json.Nodes;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Text;

namespace EmbeddingService.Cli.Benchmarks;

/// <summary>Runs one image through a preprocessor again and again and reports the median milliseconds of each stage and of the whole.</summary>
internal static class PreprocessStageTimes
{
    public static JsonObject Measure(ImagePreprocessor preprocessor, byte[] encoded, int warmup, int iterations, out PreprocessedImage output)
    {
        var clock = new StageClock();
        output = preprocessor.Process(encoded, decoded: null, clock);
        for (var i = 0; i < warmup; i++)
            preprocessor.Process(encoded, decoded: null, clock);
        var stages = Enum.GetValues<PreprocessStage>();
        var times = stages.ToDictionary(stage => stage, _ => new double[iterations]);
        var totals = new double[iterations];
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var collectionsBefore = Collections();
        for (var i = 0; i < iterations; i++)
        {
            clock.Restart();
            preprocessor.Process(encoded, decoded: null, clock);
            foreach (var stage in stages)
            {
                times[stage][i] = clock.Milliseconds(stage);
                totals[i] += times[stage][i];
            }
        }
        process.Refresh();
        var cpuMs = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / iterations;
        var report = new JsonObject();
        foreach (var stage in stages)
        {
            var name = KebabCaseNames<PreprocessStage>.Name(stage).Replace('-', '_');
            report[$"{name}_ms_p50"] = Median(times[stage]);
            report[$"{name}_ms_min"] = Math.Round(times[stage].Min(), 3);
        }
        report["total_ms_p50"] = Median(totals);
        report["total_ms_min"] = Math.Round(totals.Min(), 3);
        // Process CPU time per run (all threads, the GC's included): steadier than wall time when neighbours load the cores.
        report["cpu_ms_per_run"] = Math.Round(cpuMs, 3);
        var collections = Collections().Zip(collectionsBefore, (after, before) => after - before).ToArray();
        report["gc_per_100_runs"] = new JsonObject
        {
            ["gen0"] = Math.Round(100.0 * collections[0] / iterations, 1),
            ["gen1"] = Math.Round(100.0 * collections[1] / iterations, 1),
            ["gen2"] = Math.Round(100.0 * collections[2] / iterations, 1),
        };
        return report;
    }

    private static int[] Collections() => [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return Math.Round(sorted[sorted.Length / 2], 3);
    }
}
