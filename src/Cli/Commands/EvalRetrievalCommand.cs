using System.CommandLine;
using EmbeddingService.Cli.Evaluation;
using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Cli.Commands;

/// <summary>
/// embedctl eval retrieval: an instance-recognition / copy-detection benchmark over a service's collections API. The folder's
/// images are indexed (a seeded share as distractors, never queried); seeded edited copies of the others are searched for,
/// and recall@1, recall@10 and mAP@k (one relevant item per query: 1/rank within the top k, else 0) are printed as JSON.
/// </summary>
public static class EvalRetrievalCommand
{
    public static Command Create()
    {
        var command = new Command("retrieval",
            "Copy-detection benchmark through the REST API: index a folder's images, search with edited copies, print recall@1, recall@10 and mAP@k as JSON");
        var images = new Option<DirectoryInfo>("--images") { Description = "Folder of originals (JPEG, PNG, WebP, BMP, GIF; ids are the file names)", Required = true };
        var url = new Option<string>("--url") { Description = "REST base address of the service", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var apiKey = new Option<string?>("--api-key") { Description = "API key, sent as X-API-Key, if the service requires one" };
        var seed = new Option<int>("--seed") { Description = "Seed of the distractor split and of every copy", DefaultValueFactory = _ => 0 };
        var fraction = new Option<double>("--distractor-fraction") { Description = "Share of the images indexed as distractors and never queried", DefaultValueFactory = _ => 0.3 };
        var transforms = new Option<string>("--transforms")
        {
            Description = $"Comma-separated copy edits: {string.Join(", ", CopyTransforms.Names)}",
            DefaultValueFactory = _ => string.Join(',', CopyTransforms.Names),
        };
        var perImage = new Option<int?>("--queries-per-image") { Description = "Copies searched per original, cycling through the edits (default: one per edit)" };
        var k = new Option<int>("--k") { Description = "Results per search (at least 10); mAP is computed over these", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { Description = "Images per upsert and searches per batch-search request", DefaultValueFactory = _ => 16 };
        var collection = new Option<string?>("--collection") { Description = "Collection to use (default: a new eval-<hex>); one that exists already is never deleted" };
        var keep = new Option<bool>("--keep") { Description = "Keep the collection the run created" };
        var output = new Option<FileInfo?>("--output") { Description = "Also write the JSON to this file" };
        foreach (var option in new Option[] { images, url, apiKey, seed, fraction, transforms, perImage, k, batch, collection, keep, output })
            command.Options.Add(option);

        command.SetAction(async (result, cancellationToken) =>
        {
            var address = Address(result.GetValue(url)!);
            var names = CopyTransforms.Parse(result.GetValue(transforms)!);
            var settings = new RetrievalEvaluationSettings(
                names,
                QueriesPerImage: AtLeast(result.GetValue(perImage) ?? names.Count, 1, "--queries-per-image"),
                K: AtLeast(result.GetValue(k), 10, "--k"),
                Batch: AtLeast(result.GetValue(batch), 1, "--batch"),
                result.GetValue(seed),
                result.GetValue(collection),
                result.GetValue(keep));
            var originals = BenchmarkImages.Load(result.GetValue(images)!.FullName, result.GetValue(fraction), settings.Seed, new ImageDecoder());

            using var service = new RetrievalServiceClient(address, result.GetValue(apiKey));
            var run = await new RetrievalEvaluation(service, settings).RunAsync(originals, cancellationToken);
            if (run.Service.RandomWeights)
                Console.Error.WriteLine($"embedctl: the service runs RANDOM weights ({run.Service.Model}): these numbers say nothing about DINOv2");
            var json = run.ToJson().ToJsonString();
            Console.WriteLine(json);
            if (result.GetValue(output) is { } file)
                await File.WriteAllTextAsync(file.FullName, json + Environment.NewLine, cancellationToken);
            return 0;
        });
        return command;
    }

    private static Uri Address(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"--url must be an absolute http(s) address, not '{value}'");

    private static int AtLeast(int value, int minimum, string option) =>
        value >= minimum ? value : throw new ArgumentException($"{option} must be at least {minimum}, not {value}");
}
