using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using EmbeddingService.Engine.Imaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmbeddingService.Cli.Tests;

/// <summary>
/// The collections API on a real Kestrel at 127.0.0.1, with a search that tells images apart by their size alone: a query
/// the size of an indexed original finds it at rank 1, one with width and height swapped finds it at rank 2 (behind a
/// filler), any other size finds only fillers. So an unchanged canvas is a hit, a quarter turn a second place, and a crop or
/// rescale a miss, whatever the pixels. Points whose id starts with "reject" are refused with a per-point error.
/// It records every call.
/// </summary>
public sealed class FakeCollectionsService : IAsyncDisposable
{
    private static readonly ImageDecoder Decoder = new();
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<(int Width, int Height), string> _bySize = new();

    private FakeCollectionsService(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    /// <summary>Every call as "METHOD path", in order.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    public ConcurrentQueue<JsonObject> CreateBodies { get; } = new();

    /// <summary>Every point upserted: id and payload role.</summary>
    public ConcurrentQueue<(string Id, string Role)> Points { get; } = new();

    public ConcurrentQueue<int> UpsertBatchSizes { get; } = new();

    public ConcurrentQueue<int> SearchBatchSizes { get; } = new();

    public ConcurrentQueue<string?> ApiKeys { get; } = new();

    /// <summary>Collections that answer PUT with 200 (already there) instead of 201.</summary>
    public HashSet<string> Existing { get; } = [];

    /// <summary>When set, a call whose "METHOD path" starts with this answers 409 with a problem.</summary>
    public string? FailingCall { get; set; }

    /// <summary>When set, every search batch is refused with this code, naming its first search (as the service names a bad query image).</summary>
    public string? SearchErrorCode { get; set; }

    public static async Task<FakeCollectionsService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var fake = new FakeCollectionsService(builder.Build());
        fake.Map();
        await fake._app.StartAsync();
        fake.Address = new Uri(fake._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return fake;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private void Map()
    {
        _app.Use(async (context, next) =>
        {
            var call = $"{context.Request.Method} {context.Request.Path}";
            Calls.Enqueue(call);
            ApiKeys.Enqueue(context.Request.Headers["X-API-Key"].FirstOrDefault());
            if (FailingCall is { } failing && call.StartsWith(failing, StringComparison.Ordinal))
            {
                context.Response.StatusCode = 409;
                context.Response.ContentType = "application/problem+json";
                await context.Response.WriteAsync("""{"type":"about:blank","title":"Conflict","status":409,"code":"collection_model_mismatch","detail":"the collection was made by another model"}""");
                return;
            }
            await next(context);
        });
        _app.MapGet("/v1/info", () => Json(new JsonObject
        {
            ["model"] = "dinov2_vits14 (random:0)",
            ["architecture"] = "vits14",
            ["random_weights"] = true,
            ["weights_fingerprint"] = "random:0",
        }));
        _app.MapPut("/v1/collections/{name}", async (string name, HttpRequest request) =>
        {
            CreateBodies.Enqueue((await JsonNode.ParseAsync(request.Body))!.AsObject());
            return Json(new JsonObject { ["name"] = name, ["index"] = "exact", ["points"] = 0 }, Existing.Contains(name) ? 200 : 201);
        });
        _app.MapPost("/v1/collections/{name}/points", async (HttpRequest request) =>
        {
            var points = (await JsonNode.ParseAsync(request.Body))!["points"]!.AsArray();
            UpsertBatchSizes.Enqueue(points.Count);
            // Like the service: all or nothing, naming the first bad point.
            for (var i = 0; i < points.Count; i++)
            {
                if (points[i]!["id"]!.GetValue<string>().StartsWith("reject", StringComparison.Ordinal))
                    return Problem(422, "image_decode_failed", "refused by the fake", i);
            }
            foreach (var point in points)
            {
                var id = point!["id"]!.GetValue<string>();
                Points.Enqueue((id, point["payload"]!["role"]!.GetValue<string>()));
                _bySize[SizeOf(point["image"]!)] = id;
            }
            return Json(new JsonObject { ["upserted"] = points.Count });
        });
        _app.MapPost("/v1/collections/{name}/search/batch", async (HttpRequest request) =>
        {
            var searches = (await JsonNode.ParseAsync(request.Body))!["searches"]!.AsArray();
            SearchBatchSizes.Enqueue(searches.Count);
            if (SearchErrorCode is { } code) return Problem(422, code, "refused by the fake", 0);
            var results = searches.Select(s => (JsonNode)new JsonObject { ["hits"] = Hits(SizeOf(s!["image"]!), s["k"]!.GetValue<int>()) }).ToArray();
            return Json(new JsonObject { ["results"] = new JsonArray(results) });
        });
        _app.MapDelete("/v1/collections/{name}", () => Results.NoContent());
    }

    private JsonArray Hits((int Width, int Height) size, int k)
    {
        var ids = new List<string>();
        if (_bySize.TryGetValue(size, out var same))
            ids.Add(same);
        else if (_bySize.TryGetValue((size.Height, size.Width), out var turned))
            ids.AddRange(["filler-0", turned]);
        while (ids.Count < k)
            ids.Add($"filler-{ids.Count + 1}");
        return new JsonArray(ids.Select((id, i) => (JsonNode)new JsonObject { ["id"] = id, ["score"] = 1.0 - i / 100.0, ["payload"] = new JsonObject() }).ToArray());
    }

    private static (int Width, int Height) SizeOf(JsonNode base64)
    {
        var image = Decoder.Decode(Convert.FromBase64String(base64.GetValue<string>()));
        return (image.Width, image.Height);
    }

    private static IResult Json(JsonObject body, int status = 200) =>
        Results.Text(body.ToJsonString(), "application/json", statusCode: status);

    private static IResult Problem(int status, string code, string detail, int index) =>
        Results.Text(new JsonObject { ["status"] = status, ["code"] = code, ["detail"] = detail, ["index"] = index }.ToJsonString(), "application/problem+json", statusCode: status);
}
