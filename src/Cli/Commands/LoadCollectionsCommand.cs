using System.CommandLine;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using EmbeddingService.Cli.Load;

namespace EmbeddingService.Cli.Commands;

/// <summary>
/// embedctl load-collections: ingest random unit vectors into a new collection of a running service in
/// batches (durable upserts), then time vector searches end to end and against the store's own time
/// (the response's timings.store_ms); prints one JSON object and deletes the collection.
/// </summary>
public static class LoadCollectionsCommand
{
    public static Command Create()
    {
        var command = new Command("load-collections", "Ingest vectors into a running service's collection and time searches; prints one JSON object");
        var url = new Option<string>("--url") { Description = "REST base address", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var apiKey = new Option<string?>("--api-key") { Description = "API key, if the service requires one" };
        var points = new Option<int>("--points") { Description = "Vectors to ingest", DefaultValueFactory = _ => 100_000 };
        var batch = new Option<int>("--batch") { Description = "Vectors per upsert request", DefaultValueFactory = _ => 1000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Upsert requests in flight", DefaultValueFactory = _ => 2 };
        var searches = new Option<int>("--searches") { Description = "Vector searches to time (one at a time)", DefaultValueFactory = _ => 500 };
        var k = new Option<int>("--k") { Description = "Hits per search", DefaultValueFactory = _ => 10 };
        var index = new Option<string>("--index") { Description = "auto, exact or hnsw", DefaultValueFactory = _ => "exact" };
        foreach (var option in new Option[] { url, apiKey, points, batch, concurrency, searches, k, index })
            command.Options.Add(option);

        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = new HttpClient { BaseAddress = LoadCommand.Address(result.GetValue(url)!, "--url"), Timeout = TimeSpan.FromMinutes(5) };
            if (result.GetValue(apiKey) is { } key) client.DefaultRequestHeaders.Add("X-API-Key", key);
            var name = $"load-{Guid.NewGuid():N}"[..21];
            var created = await Json(await client.PutAsJsonAsync($"/v1/collections/{name}", new { index = result.GetValue(index) }, cancellationToken), cancellationToken);
            var dim = created.GetProperty("model").GetProperty("dim").GetInt32();
            try
            {
                var ingest = await IngestAsync(client, name, dim, result.GetValue(points), Math.Max(1, result.GetValue(batch)), Math.Max(1, result.GetValue(concurrency)), cancellationToken);
                var search = await SearchAsync(client, name, dim, result.GetValue(searches), result.GetValue(k), cancellationToken);
                Console.WriteLine(new JsonObject { ["command"] = "load-collections", ["dim"] = dim, ["index"] = result.GetValue(index), ["ingest"] = ingest, ["search"] = search }.ToJsonString());
            }
            finally
            {
                await client.DeleteAsync($"/v1/collections/{name}", CancellationToken.None);
            }
            return 0;
        });
        return command;
    }

    private static async Task<JsonObject> IngestAsync(HttpClient client, string name, int dim, int total, int batchSize, int concurrency, CancellationToken cancellationToken)
    {
        var batches = Enumerable.Range(0, (total + batchSize - 1) / batchSize).Select(b => Enumerable.Range(b * batchSize, Math.Min(batchSize, total - b * batchSize))).ToArray();
        var bodies = batches.Select(ids => JsonSerializer.SerializeToUtf8Bytes(new { points = ids.Select(i => new { id = $"p{i}", vector = UnitVector(i, dim), payload = new { group = i % 10 } }) })).ToArray();
        var next = -1;
        var latencies = new double[bodies.Length];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (var b = Interlocked.Increment(ref next); b < bodies.Length; b = Interlocked.Increment(ref next))
            {
                var started = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(bodies[b]);
                content.Headers.ContentType = new("application/json");
                await Json(await client.PostAsync($"/v1/collections/{name}/points", content, cancellationToken), cancellationToken);
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

    private static async Task<JsonObject> SearchAsync(HttpClient client, string name, int dim, int count, int k, CancellationToken cancellationToken)
    {
        var endToEnd = new List<double>(count);
        var store = new List<double>(count);
        var overhead = new List<double>(count);
        for (var q = 0; q < count; q++)
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(new { vector = UnitVector(-1 - q, dim), k });
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            var started = Stopwatch.GetTimestamp();
            var response = await Json(await client.PostAsync($"/v1/collections/{name}/search", content, cancellationToken), cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var storeMs = response.GetProperty("timings").GetProperty("store_ms").GetDouble();
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

    /// <summary>A seeded random direction: the same index gives the same vector in every run.</summary>
    private static float[] UnitVector(int seed, int dim)
    {
        var random = new Random(seed);
        var vector = new float[dim];
        for (var i = 0; i < dim; i++) vector[i] = (float)(random.NextDouble() * 2 - 1);
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        for (var i = 0; i < dim; i++) vector[i] /= norm;
        return vector;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }
}
