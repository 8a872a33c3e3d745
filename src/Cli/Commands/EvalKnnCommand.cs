using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Text;
using EmbeddingService.Training.Data;
using EmbeddingService.Training.Evaluation;

namespace EmbeddingService.Cli.Commands;

/// <summary>
/// embedctl eval knn: the official k-NN evaluation of a model on class-labelled image folders (features: the normalised
/// cls token through the serving preprocessing), or of raw pixels as the baseline; prints one JSON object.
/// </summary>
public static class EvalKnnCommand
{
    public static Command Create()
    {
        var command = new Command("knn",
            "k-NN classification of a val folder against a train folder (class sub-folders are the labels), as dinov2's eval_knn; prints top-1/top-5 per k as JSON");
        var model = new ModelOptions().AddTo(command);
        var preprocess = new PreprocessOptions().AddTo(command);
        var train = new Option<string>("--train") { Description = "Train folder: one sub-folder of images per class", Required = true };
        var val = new Option<string>("--val") { Description = "Val folder, with class sub-folders named as the train set's", Required = true };
        var ks = new Option<string>("--k") { Description = "Comma-separated numbers of neighbours", DefaultValueFactory = _ => "10,20,100,200" };
        var temperature = new Option<double>("--temperature") { Description = "Softmax temperature of the neighbours' votes", DefaultValueFactory = _ => 0.07 };
        var features = new Option<string>("--features")
        {
            Description = "cls: the model's normalised cls token; pixels: the decoded RGB bytes flattened (no model; all images one size)",
            DefaultValueFactory = _ => "cls",
        };
        var batch = new Option<int>("--batch") { Description = "Images per forward", DefaultValueFactory = _ => 64 };
        var threads = ThreadsOption.Create();
        var output = new Option<FileInfo?>("--output") { Description = "Also write the JSON to this file" };
        foreach (var option in new Option[] { train, val, ks, temperature, features, batch, threads, output })
            command.Options.Add(option);

        command.SetAction((result, cancellationToken) =>
        {
            var kind = result.GetValue(features) is "cls" or "pixels" ? result.GetValue(features)!
                : throw new ArgumentException($"--features must be cls or pixels, not '{result.GetValue(features)}'");
            var request = kind == "cls" ? model.Request(result) : null;
            var threadCount = ThreadsOption.Apply(result.GetValue(threads));
            var settings = new KnnFolderSettings
            {
                Ks = ParseKs(result.GetValue(ks)!),
                Temperature = result.GetValue(temperature),
                Policy = preprocess.Policy(result),
                Limits = preprocess.Limits(result),
                BatchSize = result.GetValue(batch),
            };
            var clock = Stopwatch.StartNew();
            var trainSet = ImageFolderDataset.Scan(result.GetValue(train)!);
            var valSet = ImageFolderDataset.Scan(result.GetValue(val)!);
            KnnFolderEvaluation.Check(trainSet, valSet, settings);

            using var loaded = request is null ? null : ModelLoader.Load(request);
            var featuresClock = Stopwatch.StartNew();
            using var trainFeatures = loaded is null
                ? KnnFolderEvaluation.PixelFeatures(trainSet, settings, cancellationToken)
                : KnnFolderEvaluation.ClsFeatures(loaded.Forward, loaded.Target.Device, loaded.Target.DType, trainSet, settings, cancellationToken);
            var trainSeconds = featuresClock.Elapsed.TotalSeconds;
            featuresClock.Restart();
            using var valFeatures = loaded is null
                ? KnnFolderEvaluation.PixelFeatures(valSet, settings, cancellationToken, trainFeatures.PixelSize)
                : KnnFolderEvaluation.ClsFeatures(loaded.Forward, loaded.Target.Device, loaded.Target.DType, valSet, settings, cancellationToken);
            var valSeconds = featuresClock.Elapsed.TotalSeconds;
            featuresClock.Restart();
            using var knn = KnnFolderEvaluation.Classify(trainFeatures, trainSet, valFeatures, valSet, settings);
            var knnSeconds = featuresClock.Elapsed.TotalSeconds;

            if (loaded?.Descriptor.IsRandom == true)
                Console.Error.WriteLine($"embedctl: {loaded.Descriptor.DisplayName}");
            var report = new JsonObject
            {
                ["command"] = "eval knn",
                ["features"] = kind,
                ["model"] = loaded?.Descriptor.DisplayName,
                ["backend"] = loaded is null ? null : KebabCaseNames<InferenceBackend>.Name(loaded.Backend),
                ["weights_fingerprint"] = loaded?.Descriptor.WeightsFingerprint,
                ["preprocess"] = kind == "cls" ? preprocess.Describe(result) : "none",
                ["feature_dim"] = trainFeatures.Features.shape[1],
                ["train"] = SetReport(trainSet, trainFeatures),
                ["val"] = SetReport(valSet, valFeatures),
                ["temperature"] = settings.Temperature,
                ["knn"] = new JsonObject(knn.Averages.Where(a => a.NPerClass == KnnEvaluation.NPerClassKey(-1)).Select(a =>
                    KeyValuePair.Create(a.K.ToString(CultureInfo.InvariantCulture), (JsonNode?)new JsonObject { ["top1"] = a.Top1, ["top5"] = a.Top5 }))),
                ["threads"] = threadCount,
                ["seconds"] = new JsonObject
                {
                    ["train_features"] = Math.Round(trainSeconds, 2),
                    ["val_features"] = Math.Round(valSeconds, 2),
                    ["knn"] = Math.Round(knnSeconds, 2),
                    ["total"] = Math.Round(clock.Elapsed.TotalSeconds, 2),
                },
            };
            var json = report.ToJsonString();
            Console.WriteLine(json);
            if (result.GetValue(output) is { } file)
                File.WriteAllText(file.FullName, json + Environment.NewLine);
            return Task.FromResult(0);
        });
        return command;
    }

    private static int[] ParseKs(string value)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var ks = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k > 0 ? k : 0).ToArray();
        return ks.Length > 0 && ks.All(k => k > 0) ? ks : throw new ArgumentException($"--k must be comma-separated positive integers, not '{value}'");
    }

    private static JsonObject SetReport(ImageFolderDataset set, FolderFeatures features) => new()
    {
        ["dir"] = set.Root,
        ["images"] = set.Images.Count,
        ["evaluated"] = features.Rows.Count,
        ["classes"] = set.ClassNames.Count,
        ["unreadable"] = features.Unreadable.Count,
        ["unreadable_examples"] = new JsonArray([.. features.Unreadable.Take(10).Select(u => (JsonNode?)u)]),
        ["not_images"] = set.UnrecognisedFiles,
    };
}
