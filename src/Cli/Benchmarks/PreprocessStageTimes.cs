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
        output = preprocessor.Process(encoded, clock);
        for (var i = 0; i < warmup; i++)
            preprocessor.Process(encoded, clock);
        var stages = Enum.GetValues<PreprocessStage>();
        var times = stages.ToDictionary(stage => stage, _ => new double[iterations]);
        var totals = new double[iterations];
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        for (var i = 0; i < iterations; i++)
        {
            clock.Restart();
            preprocessor.Process(encoded, clock);
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
            report[$"{KebabCaseNames<PreprocessStage>.Name(stage).Replace('-', '_')}_ms_p50"] = Median(times[stage]);
        report["total_ms_p50"] = Median(totals);
        report["total_ms_min"] = Math.Round(totals.Min(), 3);
        // Process CPU time per run (all threads, the GC's included): steadier than wall time when neighbours load the cores.
        report["cpu_ms_per_run"] = Math.Round(cpuMs, 3);
        return report;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return Math.Round(sorted[sorted.Length / 2], 3);
    }
}
