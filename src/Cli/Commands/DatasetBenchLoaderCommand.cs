using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Training.Augmentation;
using EmbeddingService.Training.Data;

namespace EmbeddingService.Cli.Commands;

/// <summary>
/// embedctl dataset bench-loader: the multi-crop loader alone (decode, DINOv2 augmentation, masks, collate) reading a
/// folder as fast as it can, with nothing consuming the batches; prints one JSON object. images_per_s is wall-clock;
/// cpu_ms_per_image (process CPU time over the timed batches) is what a training run pays on its own cores.
/// </summary>
public static class DatasetBenchLoaderCommand
{
    public static Command Create()
    {
        var command = new Command("bench-loader", "Time the multi-crop training loader on a folder (no model); prints one JSON object");
        var folder = new Argument<DirectoryInfo>("DIR") { Description = "Image folder (recursive)" };
        var batch = new Option<int>("--batch") { Description = "Images per batch", DefaultValueFactory = _ => 64 };
        var globalSize = new Option<int>("--global-size") { DefaultValueFactory = _ => 224 };
        var localSize = new Option<int>("--local-size") { DefaultValueFactory = _ => 98 };
        var localCrops = new Option<int>("--local-crops") { DefaultValueFactory = _ => 8 };
        var patch = new Option<int>("--patch") { Description = "Patch size of the mask grid", DefaultValueFactory = _ => 14 };
        var workers = new Option<int>("--workers") { Description = "Decode and augmentation threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var prefetch = new Option<int>("--prefetch") { Description = "Batches built ahead", DefaultValueFactory = _ => 2 };
        var warmup = new Option<int>("--warmup") { Description = "Batches taken before the clock starts", DefaultValueFactory = _ => 2 };
        var batches = new Option<int>("--batches") { Description = "Timed batches", DefaultValueFactory = _ => 20 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0 };
        var threads = ThreadsOption.Create();
        command.Arguments.Add(folder);
        foreach (var option in new Option[] { batch, globalSize, localSize, localCrops, patch, workers, prefetch, warmup, batches, seed, threads })
            command.Options.Add(option);
        command.SetAction(result =>
        {
            var (warmupBatches, timedBatches) = (result.GetValue(warmup), result.GetValue(batches));
            if (warmupBatches < 0 || timedBatches < 1) throw new ArgumentException("--batches must be at least 1 and --warmup at least 0");
            var threadCount = ThreadsOption.Apply(result.GetValue(threads));
            var scan = Stopwatch.StartNew();
            var data = ImageFolderDataset.Scan(result.GetValue(folder)!.FullName);
            var scanSeconds = scan.Elapsed.TotalSeconds;
            var options = new MultiCropDataOptions
            {
                BatchSize = result.GetValue(batch),
                Seed = result.GetValue(seed),
                Augmentation = new DinoAugmentationOptions
                {
                    GlobalCropsSize = result.GetValue(globalSize),
                    LocalCropsSize = result.GetValue(localSize),
                    LocalCropsNumber = result.GetValue(localCrops),
                },
                PatchSize = result.GetValue(patch),
                Workers = result.GetValue(workers),
                PrefetchBatches = result.GetValue(prefetch),
            };
            using var loader = new MultiCropBatches(data, options);
            for (var i = 0; i < warmupBatches; i++) loader.Next().Dispose();
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < timedBatches; i++) loader.Next().Dispose();
            var seconds = clock.Elapsed.TotalSeconds;
            process.Refresh();
            var cpuMsPerImage = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / (timedBatches * options.BatchSize);
            var counts = loader.Counts;
            Console.WriteLine(new JsonObject
            {
                ["command"] = "dataset bench-loader",
                ["images"] = data.Images.Count,
                ["scan_s"] = Math.Round(scanSeconds, 3),
                ["batch"] = options.BatchSize,
                ["global_crops"] = $"2 × {options.Augmentation.GlobalCropsSize}",
                ["local_crops"] = $"{options.Augmentation.LocalCropsNumber} × {options.Augmentation.LocalCropsSize}",
                ["workers"] = options.Workers,
                ["prefetch"] = options.PrefetchBatches,
                ["threads"] = threadCount,
                ["batches_timed"] = timedBatches,
                ["images_per_s"] = Math.Round(timedBatches * options.BatchSize / seconds, 1),
                ["batch_ms"] = Math.Round(1000 * seconds / timedBatches, 1),
                // CPU time (all threads) per image: on a shared machine the figure that does not depend on the neighbours' load.
                ["cpu_ms_per_image"] = Math.Round(cpuMsPerImage, 2),
                ["unreadable_files"] = counts.UnreadableFiles,
                ["peak_rss_mb"] = Math.Round(ProcessMemory.PeakRssBytes() / 1e6),
            }.ToJsonString());
            return 0;
        });
        return command;
    }
}
