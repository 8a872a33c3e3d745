using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using EmbeddingService.Cli.Load;

namespace EmbeddingService.Cli.Commands;

/// <summary>
/// embedctl load-collections: ingest random unit vectors into a new collection of a running service in
/// batches (durable upserts, REST or gRPC), then time vector searches end to end and against the store's own
/// time (the response's store_ms); prints one JSON object and deletes the collection.
/// </summary>
public static class LoadCollectionsCommand
{
    public static Command Create()
    {
        var command = new Command("load-collections", "Ingest vectors into a running service's collection and time searches; prints one JSON object");
        var transport = new Option<string>("--transport") { Description = "rest or grpc", DefaultValueFactory = _ => "rest" };
        var url = new Option<string>("--url") { Description = "REST base address", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var grpc = new Option<string>("--grpc") { Description = "gRPC address", DefaultValueFactory = _ => "http://127.0.0.1:8081" };
        var apiKey = new Option<string?>("--api-key") { Description = "API key, if the service requires one" };
        var points = new Option<int>("--points") { Description = "Vectors to ingest", DefaultValueFactory = _ => 100_000 };
        var batch = new Option<int>("--batch") { Description = "Vectors per upsert request", DefaultValueFactory = _ => 1000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Upsert requests in flight", DefaultValueFactory = _ => 2 };
        var searches = new Option<int>("--searches") { Description = "Vector searches to time (one at a time)", DefaultValueFactory = _ => 500 };
        var k = new Option<int>("--k") { Description = "Hits per search", DefaultValueFactory = _ => 10 };
        var index = new Option<string>("--index") { Description = "auto, exact or hnsw", DefaultValueFactory = _ => "exact" };
        var encoding = new Option<string>("--vector-encoding") { Description = "REST only: json (numbers) or base64 (vector_base64)", DefaultValueFactory = _ => "json" };
        foreach (var option in new Option[] { transport, url, grpc, apiKey, points, batch, concurrency, searches, k, index, encoding })
            command.Options.Add(option);

        command.SetAction(async (result, cancellationToken) =>
        {
            await using ICollectionLoadClient client = result.GetValue(transport) switch
            {
                "rest" => new RestCollectionLoadClient(LoadCommand.Address(result.GetValue(url)!, "--url"), result.GetValue(apiKey), result.GetValue(encoding) switch
                {
                    "json" => false,
                    "base64" => true,
                    var other => throw new ArgumentException($"--vector-encoding must be json or base64, not '{other}'"),
                }),
                "grpc" => new GrpcCollectionLoadClient(LoadCommand.Address(result.GetValue(grpc)!, "--grpc"), result.GetValue(apiKey)),
                var other => throw new ArgumentException($"--transport must be rest or grpc, not '{other}'"),
            };
            var name = $"load-{Guid.NewGuid():N}"[..21];
            var dim = await client.CreateAsync(name, result.GetValue(index)!, cancellationToken);
            try
            {
                var ingest = await IngestAsync(client, name, dim, result.GetValue(points), Math.Max(1, result.GetValue(batch)), Math.Max(1, result.GetValue(concurrency)), cancellationToken);
                var search = await SearchAsync(client, name, dim, result.GetValue(searches), result.GetValue(k), cancellationToken);
                Console.WriteLine(new JsonObject
                {
                    ["command"] = "load-collections", ["transport"] = result.GetValue(transport), ["vector_encoding"] = result.GetValue(transport) == "rest" ? result.GetValue(encoding) : "protobuf", ["dim"] = dim, ["index"] = result.GetValue(index), ["ingest"] = ingest, ["search"] = search,
                }.ToJsonString());
            }
            finally
            {
                await client.DeleteAsync(name);
            }
            return 0;
        });
        return command;
    }

    private static async Task<JsonObject> IngestAsync(ICollectionLoadClient client, string name, int dim, int total, int batchSize, int concurrency, CancellationToken cancellationToken)
    {
        var vectors = new SyntheticVectors("random", dim, seed: 1);
        var sends = Enumerable.Range(0, (total + batchSize - 1) / batchSize)
            .Select(b => client.PrepareUpsert(name, Enumerable.Range(b * batchSize, Math.Min(batchSize, total - b * batchSize)).Select(i => ($"p{i}", vectors.Row(0, i), i % 10)).ToArray()))
            .ToArray();
        var next = -1;
        var latencies = new double[sends.Length];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (var b = Interlocked.Increment(ref next); b < sends.Length; b = Interlocked.Increment(ref next))
            {
                var started = Stopwatch.GetTimestamp();
                await sends[b](cancellationToken);
                latencies[b] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        return new JsonObject
        {
            ["points"] = total,
            ["batch"] = batchSize,
            ["concurrency"] = concurrency,
            ["seconds"] = Math.Round(seconds, 3),
            ["points_per_s"] = Math.Round(total / seconds, 1),
            ["request_ms"] = LatencySummary.Of(latencies),
        };
    }

    private static async Task<JsonObject> SearchAsync(ICollectionLoadClient client, string name, int dim, int count, int k, CancellationToken cancellationToken)
    {
        var endToEnd = new List<double>(count);
        var store = new List<double>(count);
        var overhead = new List<double>(count);
        var vectors = new SyntheticVectors("random", dim, seed: 1);
        for (var q = 0; q < count; q++)
        {
            var vector = vectors.Row(1, q);
            var started = Stopwatch.GetTimestamp();
            var storeMs = await client.SearchAsync(name, vector, k, cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            endToEnd.Add(elapsed);
            store.Add(storeMs);
            overhead.Add(elapsed - storeMs);
        }
        return new JsonObject
        {
            ["queries"] = count,
            ["k"] = k,
            ["end_to_end_ms"] = LatencySummary.Of(endToEnd),
            ["store_ms"] = LatencySummary.Of(store),
            ["overhead_ms"] = LatencySummary.Of(overhead),
        };
    }
}
