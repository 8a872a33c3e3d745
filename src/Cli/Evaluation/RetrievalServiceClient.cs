using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EmbeddingService.Cli.Evaluation;

/// <summary>
/// The REST calls of a retrieval benchmark: model info, and create, upsert into, search and delete a collection.
/// A call that fails as a whole (unreachable service, HTTP error, unexpected body) throws <see cref="EvaluationException"/>
/// with the service's problem detail; per-point and per-search errors are returned.
/// </summary>
public sealed class RetrievalServiceClient : IDisposable
{
    private readonly HttpClient _http;

    public RetrievalServiceClient(Uri baseAddress, string? apiKey)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
        if (apiKey is not null) _http.DefaultRequestHeaders.Add("X-API-Key", apiKey);
    }

    public Uri BaseAddress => _http.BaseAddress!;

    public async Task<ServiceInfo> InfoAsync(CancellationToken cancellationToken)
    {
        var (_, body) = await SendAsync(HttpMethod.Get, "/v1/info", null, cancellationToken);
        return Read("GET /v1/info", () => new ServiceInfo(
            body.GetProperty("model").GetString()!,
            body.TryGetProperty("architecture", out var architecture) ? architecture.GetString() : null,
            body.GetProperty("random_weights").GetBoolean(),
            body.GetProperty("weights_fingerprint").GetString()!));
    }

    /// <summary>Creates an exact-search collection; true when this call created it, false when it was there already.</summary>
    public async Task<bool> CreateCollectionAsync(string name, CancellationToken cancellationToken)
    {
        var (status, _) = await SendAsync(HttpMethod.Put, CollectionPath(name), new JsonObject { ["index"] = "exact" }, cancellationToken);
        return status == HttpStatusCode.Created;
    }

    public async Task<IReadOnlyList<PointError>> UpsertAsync(string collection, IReadOnlyList<BenchmarkImage> images, CancellationToken cancellationToken)
    {
        var points = new JsonArray(images.Select(i => (JsonNode)new JsonObject
        {
            ["id"] = i.Id,
            ["image"] = Convert.ToBase64String(i.Bytes),
            ["payload"] = new JsonObject { ["role"] = i.Role },
        }).ToArray());
        var path = CollectionPath(collection) + "/points";
        var (_, body) = await SendAsync(HttpMethod.Post, path, new JsonObject { ["points"] = points }, cancellationToken);
        return Read($"POST {path}", () => body.TryGetProperty("errors", out var errors)
            ? errors.EnumerateArray().Select(e => new PointError(
                e.TryGetProperty("id", out var id) ? id.GetString()! : images[e.GetProperty("index").GetInt32()].Id,
                e.GetProperty("code").GetString()!,
                e.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : "")).ToArray()
            : []);
    }

    /// <summary>One batch search: the answers in the order of <paramref name="images"/>, each at most <paramref name="k"/> ids.</summary>
    public async Task<IReadOnlyList<SearchAnswer>> SearchAsync(string collection, IReadOnlyList<byte[]> images, int k, CancellationToken cancellationToken)
    {
        var searches = new JsonArray(images.Select(i => (JsonNode)new JsonObject { ["image"] = Convert.ToBase64String(i), ["k"] = k }).ToArray());
        var path = CollectionPath(collection) + "/search/batch";
        var (_, body) = await SendAsync(HttpMethod.Post, path, new JsonObject { ["searches"] = searches }, cancellationToken);
        var answers = Read($"POST {path}", () => body.GetProperty("results").EnumerateArray().Select(result =>
            result.TryGetProperty("hits", out var hits) && hits.ValueKind == JsonValueKind.Array
                ? new SearchAnswer(hits.EnumerateArray().Select(h => h.GetProperty("id").GetString()!).ToArray(), null)
                : new SearchAnswer([], result.TryGetProperty("code", out var code) ? code.GetString() : "no_hits")).ToArray());
        if (answers.Length != images.Count)
            throw new EvaluationException($"POST {path}: {answers.Length} results for {images.Count} searches");
        return answers;
    }

    public Task DeleteCollectionAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, CollectionPath(name), null, cancellationToken);

    public void Dispose() => _http.Dispose();

    private static string CollectionPath(string name) => "/v1/collections/" + Uri.EscapeDataString(name);

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        string text;
        HttpStatusCode status;
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            status = response.StatusCode;
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new EvaluationException($"{method} {new Uri(_http.BaseAddress!, path)}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EvaluationException($"{method} {path}: no answer within {_http.Timeout.TotalSeconds:0} s", e);
        }
        var json = Parse(text);
        if ((int)status is < 200 or > 299)
            throw new EvaluationException($"{method} {path}: {(int)status} {Problem(json, status)}");
        if (json is null && text.Length > 0)
            throw new EvaluationException($"{method} {path}: {(int)status} with a body that is not JSON");
        return (status, json ?? default);
    }

    private static JsonElement? Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            return JsonSerializer.Deserialize<JsonElement>(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>"code: detail" from a problem+json body, or whatever of it there is.</summary>
    private static string Problem(JsonElement? body, HttpStatusCode status)
    {
        string? Field(string name) => body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var code = Field("code") ?? status.ToString();
        var detail = Field("detail") ?? Field("title");
        return detail is null ? code : $"{code}: {detail}";
    }

    private static T Read<T>(string call, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            throw new EvaluationException($"{call}: the answer does not follow the API ({e.Message})", e);
        }
    }
}
