using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using EmbeddingService.Cli.Load;
using EmbeddingService.Engine.IO;

namespace EmbeddingService.Cli.Commands;

/// <summary>embedctl load: drive a running service over REST or gRPC streaming and print one JSON object.</summary>
public static class LoadCommand
{
    public static Command Create()
    {
        var command = new Command("load", "Load-test a running service (REST or gRPC stream); prints one JSON object");
        var url = new Option<string>("--url") { Description = "REST base address (rest mode)", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var grpc = new Option<string>("--grpc") { Description = "gRPC address (grpc-stream mode)", DefaultValueFactory = _ => "http://127.0.0.1:8081" };
        var mode = new Option<string>("--mode") { Description = "rest or grpc-stream", DefaultValueFactory = _ => "rest" };
        var images = new Option<DirectoryInfo>("--images") { Description = "Folder of images to send (cycled)", Required = true };
        var mixed = new Option<int>("--mixed-aspect") { Description = "Instead send this many seeded crops of the images with aspect ratios from 1:2 to 2:1" };
        var concurrency = new Option<int>("--concurrency") { Description = "Closed loop: requests in flight", DefaultValueFactory = _ => 8 };
        var rate = new Option<double?>("--rate") { Description = "Open loop: requests per second (latency includes queueing)" };
        var requests = new Option<int?>("--requests") { Description = "Stop after this many requests" };
        var seconds = new Option<double>("--seconds") { Description = "Stop after this long (when --requests is not given)", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "Unmeasured requests first", DefaultValueFactory = _ => 8 };
        var policy = new Option<string?>("--policy") { Description = "center-crop or keep-aspect (default: the server's)" };
        var apiKey = new Option<string?>("--api-key") { Description = "API key, if the service requires one" };
        var serverPid = new Option<int?>("--server-pid") { Description = "Also sample the server's resident memory (Linux /proc)" };
        var save = new Option<FileInfo?>("--save-embeddings") { Description = "Write the first embedding of each distinct image as a float32 [N, dim] .npy" };
        foreach (var option in new Option[] { url, grpc, mode, images, mixed, concurrency, rate, requests, seconds, warmup, policy, apiKey, serverPid, save })
            command.Options.Add(option);

        command.SetAction(async (result, cancellationToken) =>
        {
            var sources = LoadImages.FromFolder(result.GetValue(images)!.FullName);
            var payloads = result.GetValue(mixed) is > 0 and var count ? LoadImages.MixedAspect(sources, count, seed: 7) : sources;
            var policyName = result.GetValue(policy);
            await using ILoadClient client = result.GetValue(mode) switch
            {
                "rest" => new RestLoadClient(Address(result.GetValue(url)!, "--url"), result.GetValue(apiKey), policyName is null ? "" : $"?policy={policyName}"),
                "grpc-stream" => new GrpcStreamLoadClient(Address(result.GetValue(grpc)!, "--grpc"), result.GetValue(apiKey), new Protos.V1.EmbedOptions
                {
                    Policy = policyName switch { "keep-aspect" => Protos.V1.ResizePolicy.KeepAspect, "center-crop" => Protos.V1.ResizePolicy.CenterCrop, _ => Protos.V1.ResizePolicy.Unspecified },
                }),
                var other => throw new ArgumentException($"--mode must be rest or grpc-stream, not '{other}'"),
            };
            var runner = new LoadRunner(client, payloads);
            await runner.ClosedLoopAsync(Math.Max(1, result.GetValue(concurrency)), result.GetValue(warmup), TimeSpan.MaxValue, cancellationToken);
            runner.Embeddings.Clear();

            using var memory = result.GetValue(serverPid) is { } pid ? new ServerMemorySampler(pid) : null;
            var clock = Stopwatch.StartNew();
            var duration = TimeSpan.FromSeconds(result.GetValue(seconds));
            var outcomes = result.GetValue(rate) is { } perSecond
                ? await runner.OpenLoopAsync(perSecond, result.GetValue(requests), duration, cancellationToken)
                : await runner.ClosedLoopAsync(result.GetValue(concurrency), result.GetValue(requests), duration, cancellationToken);
            var elapsed = clock.Elapsed.TotalSeconds;

            var report = Report(result.GetValue(mode)!, outcomes, elapsed);
            report["concurrency"] = result.GetValue(rate) is null ? result.GetValue(concurrency) : null;
            report["rate_per_s"] = result.GetValue(rate);
            report["distinct_images"] = payloads.Count;
            if (memory is not null) report["server_rss_mb"] = memory.Report();
            if (result.GetValue(save) is { } file && !runner.Embeddings.IsEmpty)
            {
                var ordered = runner.Embeddings.OrderBy(p => p.Key).ToArray();
                Npy.Write(file.FullName, [ordered.Length, ordered[0].Value.Length], ordered.SelectMany(p => p.Value).ToArray());
                report["saved_embeddings"] = ordered.Length;
            }
            Console.WriteLine(report.ToJsonString());
            return 0;
        });
        return command;
    }

    internal static Uri Address(string value, string option) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"{option} must be an absolute http(s) address, not '{value}'");

    private static JsonObject Report(string mode, IReadOnlyList<LoadResult> outcomes, double seconds)
    {
        var ok = outcomes.Where(o => o.Error is null).Select(o => o.LatencyMs).ToArray();
        var errors = new JsonObject();
        foreach (var group in outcomes.Where(o => o.Error is not null).GroupBy(o => o.Error!))
            errors[group.Key] = group.Count();
        return new JsonObject
        {
            ["command"] = "load",
            ["mode"] = mode,
            ["requests"] = outcomes.Count,
            ["ok"] = ok.Length,
            ["errors"] = errors,
            ["seconds"] = Math.Round(seconds, 3),
            ["images_per_s"] = Math.Round(outcomes.Where(o => o.Error is null).Sum(o => o.Images) / seconds, 3),
            ["latency_ms"] = LatencySummary.Of(ok),
        };
    }
}
