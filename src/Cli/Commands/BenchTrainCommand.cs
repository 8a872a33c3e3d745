using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using EmbeddingService.Training.Masking;
using EmbeddingService.Training.Optimization;
using EmbeddingService.Training.Train;
using static TorchSharp.torch;

namespace EmbeddingService.Cli.Commands;

/// <summary>
/// embedctl bench-train: full DINOv2 pretraining iterations (the train.py loop body) on random crops, as the official
/// anchor (../shared/anchors/bench_official_step.py) times them; prints one JSON object.
/// </summary>
public static class BenchTrainCommand
{
    public static Command Create()
    {
        var command = new Command("bench-train", "Time DINOv2 training iterations (teacher, packed student, heads, losses, backward, clip, AdamW, EMA); prints one JSON object");
        var arch = new Option<string>("--arch") { Description = "Backbone architecture", DefaultValueFactory = _ => "vits14" };
        var prototypes = new Option<int>("--prototypes") { Description = "DINO head prototypes K", DefaultValueFactory = _ => 65536 };
        var ibotPrototypes = new Option<int?>("--ibot-prototypes") { Description = "iBOT head prototypes (default: --prototypes)" };
        var sharedHead = new Option<bool>("--shared-ibot-head") { Description = "iBOT uses the DINO head (ssl_default_config) instead of its own" };
        var batch = new Option<int>("--batch") { Description = "Images per iteration", DefaultValueFactory = _ => 8 };
        var globalSize = new Option<int>("--global-size") { DefaultValueFactory = _ => 224 };
        var localSize = new Option<int>("--local-size") { DefaultValueFactory = _ => 98 };
        var localCrops = new Option<int>("--local-crops") { DefaultValueFactory = _ => 8 };
        var dropPath = new Option<double>("--drop-path") { Description = "Stochastic depth rate (uniform over blocks, as the anchor)", DefaultValueFactory = _ => 0.4 };
        var layout = new Option<string>("--layout")
        {
            Description = "packed-subset (one packed student forward, branch on a batch subset) or separate-mask (a forward per crop size, per-sample DropPath masks)",
            DefaultValueFactory = _ => "packed-subset",
        };
        var centering = new Option<string>("--centering") { DefaultValueFactory = _ => "sinkhorn_knopp" };
        var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => 2 };
        var steps = new Option<int>("--steps") { Description = "Timed iterations", DefaultValueFactory = _ => 3 };
        var rssAt = new Option<string?>("--rss-at") { Description = "Record resident memory after these iterations, e.g. 20,200 (counted after warm-up)" };
        var keepFreed = new Option<bool>("--keep-freed-memory") { Description = "Serve allocations from the heap and keep freed memory (NativeHeap.KeepFreedMemory)" };
        var threads = ThreadsOption.Create();
        foreach (var option in new Option[] { keepFreed, arch, prototypes, ibotPrototypes, sharedHead, batch, globalSize, localSize, localCrops, dropPath, layout, centering, warmup, steps, rssAt, threads })
            command.Options.Add(option);

        command.SetAction(result =>
        {
            var images = result.GetValue(batch);
            var (warmupSteps, timedSteps) = (result.GetValue(warmup), result.GetValue(steps));
            if (images < 1 || timedSteps < 1 || warmupSteps < 0) throw new ArgumentException("--batch and --steps must be at least 1, --warmup at least 0");
            var packedSubset = result.GetValue(layout) switch
            {
                "packed-subset" => true,
                "separate-mask" => false,
                var other => throw new ArgumentException($"--layout must be packed-subset or separate-mask, not '{other}'"),
            };
            var rssSteps = (result.GetValue(rssAt) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToHashSet();
            var threadCount = ThreadsOption.Apply(result.GetValue(threads));
            if (result.GetValue(keepFreed)) NativeHeap.KeepFreedMemory();
            var vit = VitArchitectures.Get(result.GetValue(arch)!) with { ImgSize = 518 };
            var dinoHead = new HeadConfig(result.GetValue(prototypes));
            HeadConfig? ibotHead = result.GetValue(sharedHead) ? null : new HeadConfig(result.GetValue(ibotPrototypes) ?? result.GetValue(prototypes));

            using var student = new SslModel(vit, dinoHead, ibotHead);
            RandomInitializer.Initialize(student.Backbone, seed: 0);
            using var teacher = student.EmptyCopy();
            teacher.load_state_dict(student.state_dict());
            var sampler = new RandomStochasticDepthSampler(new Generator(1));
            student.Backbone.ConfigureStochasticDepth(
                new StochasticDepth(result.GetValue(dropPath), Uniform: true, packedSubset ? StochasticDepthMode.BatchSubset : StochasticDepthMode.PerSampleMask), sampler);
            var options = new SslObjectiveOptions
            {
                Centering = result.GetValue(centering) switch
                {
                    "sinkhorn_knopp" => TeacherCentering.SinkhornKnopp,
                    "centering" => TeacherCentering.Centering,
                    var other => throw new ArgumentException($"--centering must be sinkhorn_knopp or centering, not '{other}'"),
                },
            };
            using var meta = new SslMetaArch(student, teacher, options, new SslComputeOptions { PackStudentCrops = packedSubset });
            using var optimizer = new ScheduledAdamW(TrainingStep.ParameterGroupsOf(student));
            var step = new TrainingStep(meta, optimizer);
            var schedules = new TrainingSchedules(new ScheduleConfig { TotalBatchSize = images });
            using var data = RandomBatch(images, result.GetValue(globalSize), result.GetValue(localSize), result.GetValue(localCrops), vit.PatchSize);

            var stepSeconds = new List<double>();
            var rss = new JsonObject();
            var losses = new JsonArray();
            var phases = new List<IReadOnlyDictionary<string, double>>();
            for (var i = 0; i < warmupSteps + Math.Max(timedSteps, rssSteps.Count > 0 ? rssSteps.Max() : 0); i++)
            {
                var clock = Stopwatch.StartNew();
                using (NewDisposeScope())
                {
                    var outcome = step.Run(data, StepSchedule.At(schedules, i));
                    if (i >= warmupSteps && i < warmupSteps + timedSteps)
                    {
                        losses.Add(outcome.Losses.TotalBackpropagated);
                        phases.Add(outcome.PhaseMilliseconds);
                    }
                }
                if (i >= warmupSteps && i < warmupSteps + timedSteps) stepSeconds.Add(clock.Elapsed.TotalSeconds);
                if (rssSteps.Contains(i + 1 - warmupSteps)) rss[(i + 1 - warmupSteps).ToString()] = ProcessMemory.CurrentRssBytes() / 1e6;
            }
            stepSeconds.Sort();
            var stepsPerSecond = stepSeconds.Count / stepSeconds.Sum();
            var report = new JsonObject
            {
                ["command"] = "bench-train",
                ["layout"] = result.GetValue(layout),
                ["keep_freed_memory"] = result.GetValue(keepFreed),
                ["arch"] = result.GetValue(arch),
                ["threads"] = threadCount,
                ["batch"] = images,
                ["global_crops"] = $"2 × {result.GetValue(globalSize)}",
                ["local_crops"] = $"{result.GetValue(localCrops)} × {result.GetValue(localSize)}",
                ["prototypes"] = new JsonObject { ["dino"] = dinoHead.Prototypes, ["ibot"] = ibotHead?.Prototypes },
                ["drop_path"] = result.GetValue(dropPath),
                ["centering"] = result.GetValue(centering),
                ["steps_per_s"] = stepsPerSecond,
                ["images_per_s"] = stepsPerSecond * images,
                ["step_s"] = new JsonObject { ["median"] = stepSeconds[stepSeconds.Count / 2], ["min"] = stepSeconds[0], ["max"] = stepSeconds[^1] },
                ["phases_ms_median"] = new JsonObject(phases[0].Keys.Select(phase =>
                    KeyValuePair.Create(phase, (JsonNode?)Math.Round(phases.Select(p => p[phase]).Order().ElementAt(phases.Count / 2), 1)))),
                ["peak_rss_mb"] = ProcessMemory.PeakRssBytes() / 1e6,
                ["total_loss"] = losses,
            };
            if (rss.Count > 0) report["rss_mb_after_step"] = rss;
            Console.WriteLine(report.ToJsonString());
            return 0;
        });
        return command;
    }

    /// <summary>Random normalised crops with official iBOT masks, collated once before the clock (as the anchor does).</summary>
    private static CollatedBatch RandomBatch(int images, int globalSize, int localSize, int localCrops, int patchSize)
    {
        var random = new Random(0);
        var generator = new Generator(0);
        var collator = new BatchCollator(MaskingGenerator.ForGlobalCrops(globalSize, patchSize, random), random);
        var masks = collator.CollateMasks(2 * images);
        return new CollatedBatch(
            randn([2 * images, 3, globalSize, globalSize], generator: generator),
            randn([localCrops * images, 3, localSize, localSize], generator: generator),
            masks);
    }
}
