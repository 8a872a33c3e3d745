using System.CommandLine;
using System.Text.Json.Nodes;
using EmbeddingService.Cli.Benchmarks;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Text;

namespace EmbeddingService.Cli.Commands;

/// <summary>
/// embedctl bench-preprocess: the service's <c>decode</c> stage (decode, upright, resize, crop, normalise) on one
/// thread, per image and resize policy, as medians of each stage; prints one JSON object.
/// </summary>
public static class BenchPreprocessCommand
{
    public static Command Create()
    {
        var command = new Command("bench-preprocess", "Time image decoding and preprocessing per stage on one thread; prints one JSON object");
        var images = new Option<FileSystemInfo>("--images") { Description = "An image file, or a folder of them (not recursive)", Required = true };
        var size = new Option<int>("--size") { Description = "center-crop: crop size; keep-aspect: shorter side", DefaultValueFactory = _ => 224 };
        var iterations = new Option<int>("--iterations") { Description = "Timed runs per image and policy", DefaultValueFactory = _ => 200 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs per image and policy first", DefaultValueFactory = _ => 20 };
        foreach (var option in new Option[] { images, size, iterations, warmup }) command.Options.Add(option);
        command.SetAction(result =>
        {
            var (timed, untimed) = (result.GetValue(iterations), result.GetValue(warmup));
            if (timed < 1 || untimed < 0) throw new ArgumentException("--iterations must be at least 1 and --warmup at least 0");
            var files = ImageFiles(result.GetValue(images)!);
            var policies = Enum.GetValues<ResizePolicy>();
            var loadBefore = LoadAverage();
            var report = new JsonObject
            {
                ["command"] = "bench-preprocess",
                ["iterations"] = timed,
                ["warmup"] = untimed,
                ["size"] = result.GetValue(size),
                ["processors"] = Environment.ProcessorCount,
            };
            var perImage = new JsonArray();
            foreach (var file in files)
            {
                var encoded = File.ReadAllBytes(file);
                var entry = new JsonObject { ["file"] = Path.GetFileName(file), ["bytes"] = encoded.Length };
                foreach (var policy in policies)
                {
                    var preprocessor = new ImagePreprocessor(ResizePolicies.Create(policy, result.GetValue(size)));
                    var stages = PreprocessStageTimes.Measure(preprocessor, encoded, untimed, timed, out var output);
                    stages["output"] = $"{output.Width}x{output.Height}";
                    entry[KebabCaseNames<ResizePolicy>.Name(policy)] = stages;
                }
                perImage.Add(entry);
            }
            report["images"] = perImage;
            if (loadBefore is not null) report["load_average_1m_before"] = loadBefore;
            if (LoadAverage() is { } loadAfter) report["load_average_1m_after"] = loadAfter;
            Console.WriteLine(report.ToJsonString());
            return 0;
        });
        return command;
    }

    private static string[] ImageFiles(FileSystemInfo images) => images switch
    {
        FileInfo { Exists: true } file => [file.FullName],
        DirectoryInfo { Exists: true } folder => folder.GetFiles().Select(f => f.FullName).Order(StringComparer.Ordinal).ToArray() is { Length: > 0 } found
            ? found
            : throw new ArgumentException($"--images: the folder {folder.FullName} holds no files"),
        _ => throw new ArgumentException($"--images: {images.FullName} does not exist"),
    };

    private static double? LoadAverage()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path) && double.TryParse(File.ReadAllText(path).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out var load) ? load : null;
    }
}
