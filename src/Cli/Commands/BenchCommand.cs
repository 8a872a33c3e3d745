using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using EmbeddingService.Cli.Benchmarks;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using EmbeddingService.Engine.Text;
using static TorchSharp.torch;

namespace EmbeddingService.Cli.Commands;

/// <summary>embedctl bench: model forward throughput (and optionally the machine's GEMM rate) as one JSON object.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure model forward throughput; prints one JSON object");
        var model = new ModelOptions().AddTo(command);
        var batch = new Option<int>("--batch") { Description = "Images per forward", DefaultValueFactory = _ => 8 };
        var resolution = new Option<int>("--res") { Description = "Square input resolution (multiple of the patch size)", DefaultValueFactory = _ => 224 };
        var threads = ThreadsOption.Create();
        var seconds = new Option<double>("--seconds") { Description = "Measure for at least this long", DefaultValueFactory = _ => 10 };
        var iterations = new Option<int?>("--iterations") { Description = "Measure exactly this many forwards instead of --seconds" };
        var warmup = new Option<int>("--warmup") { Description = "Unmeasured forwards first", DefaultValueFactory = _ => 3 };
        var matmul = new Option<bool>("--matmul") { Description = "Also measure a 2048³ fp32 matmul through the same libtorch" };
        var profile = new Option<bool>("--profile") { Description = "Also time each kind of operation (10 extra forwards with module hooks)" };
        var mixedAspect = new Option<bool>("--mixed-aspect") { Description = "Images of seeded random aspect ratios from 1:2 to 2:1 (shorter side --res, sides multiples of the patch size) in one forward" };
        var layout = new Option<string>("--layout") { Description = "packed or padded (with --mixed-aspect)", DefaultValueFactory = _ => "packed" };
        var trim = new Option<bool>("--trim") { Description = "Give freed native memory back (malloc_trim) after each timed forward, timed apart, as the service may after a large batch" };
        foreach (var option in new Option[] { batch, resolution, threads, seconds, iterations, warmup, matmul, profile, mixedAspect, layout, trim }) command.Options.Add(option);

        command.SetAction(result =>
        {
            var request = model.Request(result);
            var n = result.GetValue(batch);
            var res = result.GetValue(resolution);
            if (n < 1) throw new ArgumentException("--batch must be at least 1");
            if (result.GetValue(seconds) <= 0) throw new ArgumentException("--seconds must be positive");
            if (result.GetValue(iterations) is < 1) throw new ArgumentException("--iterations must be at least 1");
            var threadCount = ThreadsOption.Apply(result.GetValue(threads));
            using var loaded = ModelLoader.Load(request);
            var report = new JsonObject
            {
                ["command"] = "bench",
                ["model"] = loaded.Descriptor.DisplayName,
                ["random_weights"] = loaded.Descriptor.IsRandom,
                ["device"] = loaded.Target.Describe(),
                ["backend"] = KebabCaseNames<InferenceBackend>.Name(loaded.Backend),
                ["threads"] = threadCount,
                ["batch"] = n,
                ["resolution"] = res,
            };
            if (loaded.Backend == InferenceBackend.Torch) report["linear_kernel"] = KebabCaseNames<LinearKernel>.Name(loaded.LinearKernel);
            var batchLayout = result.GetValue(layout) switch
            {
                "packed" => BatchLayout.Packed,
                "padded" => BatchLayout.Padded,
                var other => throw new ArgumentException($"--layout must be packed or padded, not '{other}'"),
            };
            var sizes = result.GetValue(mixedAspect) ? MixedSizes(n, res, loaded.Network.Config.PatchSize) : Enumerable.Repeat((res, res), n).ToArray();
            if (result.GetValue(mixedAspect)) report["layout"] = result.GetValue(layout);
            MeasureForward(loaded, sizes, batchLayout, result.GetValue(warmup), result.GetValue(seconds), result.GetValue(iterations), result.GetValue(trim), report);
            if (result.GetValue(profile))
                report["profile_ms_per_forward"] = Profile(loaded, n, res);
            if (result.GetValue(matmul))
            {
                var (median, best) = MeasureMatmul(loaded.Target, 2048);
                var modelRate = report["gflop_per_s"]!.GetValue<double>();
                report["matmul_2048_gflop_per_s"] = Math.Round(median, 2);
                report["matmul_2048_gflop_per_s_best"] = Math.Round(best, 2);
                report["efficiency_vs_matmul"] = Math.Round(modelRate / median, 3);
                report["efficiency_vs_best_matmul"] = Math.Round(modelRate / best, 3);
            }
            report["peak_rss_mb"] = Math.Round(ProcessMemory.PeakRssBytes() / 1048576.0, 1);
            Console.WriteLine(report.ToJsonString());
            return 0;
        });
        return command;
    }

    /// <summary>Seeded sizes with aspect ratios log-uniform in [1/2, 2]: shorter side <paramref name="res"/>, both floored to the patch size.</summary>
    private static (int Height, int Width)[] MixedSizes(int count, int res, int patch)
    {
        var random = new Random(3);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var aspect = Math.Pow(2, random.NextDouble() * 2 - 1);
            var (height, width) = aspect >= 1 ? (res, (int)(res * aspect)) : ((int)(res / aspect), res);
            return (height / patch * patch, width / patch * patch);
        }).ToArray();
    }

    private static void MeasureForward(LoadedModel loaded, (int Height, int Width)[] sizes, BatchLayout layout, int warmup, double seconds, int? iterations, bool trim, JsonObject report)
    {
        var generator = new Generator(0);
        // The served path: a list of images through the model's backend, as the scheduler hands them over.
        var images = sizes.Select(s => randn([3, s.Height, s.Width], generator: generator).to(loaded.Target.DType, loaded.Target.Device)).ToArray();
        void Forward()
        {
            using (NewDisposeScope())
            using (no_grad())
            {
                loaded.Forward.ForwardPacked(images, layout: layout);
                Synchronize(loaded.Target);
            }
        }
        for (var i = 0; i < warmup; i++) Forward();
        var rssAfterWarmup = ProcessMemory.CurrentRssBytes();
        long? rssAfter10 = null;
        var rssSamples = new JsonArray();
        var latencies = new List<double>();
        var trims = new List<double>();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var total = Stopwatch.StartNew();
        while (iterations is { } count ? latencies.Count < count : total.Elapsed.TotalSeconds < seconds || latencies.Count < 3)
        {
            var one = Stopwatch.StartNew();
            Forward();
            latencies.Add(one.Elapsed.TotalMilliseconds);
            if (trim)
            {
                var trimming = Stopwatch.StartNew();
                NativeHeap.ReleaseFreedMemory();
                trims.Add(trimming.Elapsed.TotalMilliseconds);
            }
            if (latencies.Count == 10) rssAfter10 = ProcessMemory.CurrentRssBytes();
            if (latencies.Count % (latencies.Count < 100 ? 10 : 100) == 0) rssSamples.Add(Math.Round(ProcessMemory.CurrentRssBytes() / 1048576.0, 1));
        }
        var elapsed = total.Elapsed.TotalSeconds;
        var cpuMilliseconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
        foreach (var image in images) image.Dispose();
        var config = loaded.Network.Config;
        var tokensPerForward = sizes.Sum(s => 1 + config.NumRegisters + s.Height / config.PatchSize * (s.Width / config.PatchSize));
        var flopsPerForward = sizes.Sum(s => FlopCounter.ForwardFlops(config, s.Height, s.Width));
        var forwards = (double)latencies.Count;
        latencies.Sort();
        report["iterations"] = latencies.Count;
        report["seconds"] = Math.Round(elapsed, 3);
        report["images_per_s"] = Math.Round(forwards * sizes.Length / elapsed, 3);
        report["tokens_per_s"] = Math.Round(forwards * tokensPerForward / elapsed, 1);
        report["gflop_per_image"] = Math.Round(flopsPerForward / sizes.Length / 1e9, 3);
        report["gflop_per_s"] = Math.Round(forwards * flopsPerForward / elapsed / 1e9, 2);
        report["latency_ms_p50"] = Math.Round(latencies[latencies.Count / 2], 2);
        report["latency_ms_min"] = Math.Round(latencies[0], 2);
        // Steadier than wall time on a shared machine, at one thread: spinning worker threads inflate it at more.
        report["cpu_ms_per_image"] = Math.Round(cpuMilliseconds / (forwards * sizes.Length), 2);
        if (trim)
        {
            trims.Sort();
            report["trim_ms_p50"] = Math.Round(trims[trims.Count / 2], 2);
        }
        report["rss_mb_after_warmup"] = Math.Round(rssAfterWarmup / 1048576.0, 1);
        if (rssAfter10 is { } after10) report["rss_mb_after_10"] = Math.Round(after10 / 1048576.0, 1);
        report["rss_mb_end"] = Math.Round(ProcessMemory.CurrentRssBytes() / 1048576.0, 1);
        report["rss_mb_every_100"] = rssSamples;
        report["managed_heap_mb_end"] = Math.Round(GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0, 1);
    }

    /// <summary>Time per module kind of the TorchSharp network (module hooks), whichever backend serves.</summary>
    private static JsonObject Profile(LoadedModel loaded, int batch, int res)
    {
        const int forwards = 10;
        using var input = randn([batch, 3, res, res], generator: new Generator(0)).to(loaded.Target.DType, loaded.Target.Device);
        using var profiler = new ForwardProfiler(loaded.Network);
        var total = Stopwatch.StartNew();
        for (var i = 0; i < forwards; i++)
        {
            using (NewDisposeScope())
            using (no_grad())
                loaded.Network.ForwardFeatures(input);
        }
        var perForward = profiler.Report(forwards, total.Elapsed);
        var sum = perForward.Values.Sum();
        var report = new JsonObject();
        foreach (var (name, ms) in perForward.OrderByDescending(p => p.Value))
            report[name] = new JsonObject { ["ms"] = Math.Round(ms, 2), ["share"] = Math.Round(ms / sum, 3) };
        return report;
    }

    /// <summary>Median and best fp32 GEMM rates (GFLOP/s) of an n×n×n matmul on the target, over 10 timed runs.</summary>
    private static (double Median, double Best) MeasureMatmul(ComputeTarget target, int n)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(1);
        var a = randn([n, n], generator: generator).to(target.Device);
        var b = randn([n, n], generator: generator).to(target.Device);
        var seconds = new List<double>();
        for (var i = 0; i < 12; i++)
        {
            var watch = Stopwatch.StartNew();
            using (a.matmul(b)) Synchronize(target);
            if (i >= 2) seconds.Add(watch.Elapsed.TotalSeconds);
        }
        seconds.Sort();
        var flops = 2.0 * n * n * n;
        return (flops / seconds[seconds.Count / 2] / 1e9, flops / seconds[0] / 1e9);
    }

    private static void Synchronize(ComputeTarget target)
    {
        if (target.Device.type == TorchSharp.DeviceType.CUDA) cuda.synchronize(target.Device);
    }
}
