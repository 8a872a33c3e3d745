using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EmbeddingService.Cli.Evaluation;

/// <summary>
/// The REST calls of a retrieval benchmark: model info, and create, upsert into, search and delete a collection.
/// A call that fails as a whole (unreachable service, HTTP error, unexpected body) throws <see cref="EvaluationException"/>
/// with the service's problem detail; images the service refuses one by one (an upsert or search naming their index)
/// are returned as errors and the rest goes on.
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

    /// <summary>Indexes the images; those the service refuses are returned with its problem code, the rest are indexed.</summary>
    public async Task<IReadOnlyList<PointError>> UpsertAsync(string collection, IReadOnlyList<BenchmarkImage> images, CancellationToken cancellationToken)
    {
        var path = CollectionPath(collection) + "/points";
        var (_, _, refused) = await SendSettingAsideAsync(path, images.Count, sent => new JsonObject
        {
            ["points"] = new JsonArray(sent.Select(i => (JsonNode)new JsonObject
            {
                ["id"] = images[i].Id,
                ["image"] = Convert.ToBase64String(images[i].Bytes),
                ["payload"] = new JsonObject { ["role"] = images[i].Role },
            }).ToArray()),
        }, cancellationToken);
        return refused.Select(r => new PointError(images[r.Key].Id, r.Value.Code, r.Value.Detail)).ToArray();
    }

    /// <summary>One batch search: the answers in the order of <paramref name="images"/>, each at most <paramref name="k"/> ids.</summary>
    public async Task<IReadOnlyList<SearchAnswer>> SearchAsync(string collection, IReadOnlyList<byte[]> images, int k, CancellationToken cancellationToken)
    {
        var path = CollectionPath(collection) + "/search/batch";
        var (body, sent, refused) = await SendSettingAsideAsync(path, images.Count, sent => new JsonObject
        {
            ["searches"] = new JsonArray(sent.Select(i => (JsonNode)new JsonObject { ["image"] = Convert.ToBase64String(images[i]), ["k"] = k }).ToArray()),
        }, cancellationToken);
        var answers = new SearchAnswer[images.Count];
        foreach (var (index, problem) in refused) answers[index] = new SearchAnswer([], problem.Code);
        if (sent.Count == 0) return answers;
        var results = Read($"POST {path}", () => body.GetProperty("results").EnumerateArray()
            .Select(result => new SearchAnswer(result.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("id").GetString()!).ToArray(), null)).ToArray());
        if (results.Length != sent.Count)
            throw new EvaluationException($"POST {path}: {results.Length} results for {sent.Count} searches");
        for (var j = 0; j < sent.Count; j++) answers[sent[j]] = results[j];
        return answers;
    }

    public Task DeleteCollectionAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, CollectionPath(name), null, cancellationToken);

    public void Dispose() => _http.Dispose();

    private static string CollectionPath(string name) => "/v1/collections/" + Uri.EscapeDataString(name);

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        var (status, json) = await ExchangeAsync(method, path, body, cancellationToken);
        if ((int)status is < 200 or > 299)
            throw new EvaluationException($"{method} {path}: {(int)status} {Problem(json, status)}");
        return (status, json ?? default);
    }

    /// <summary>
    /// Sends the items of a batch (<paramref name="body"/> of their indexes). The service refuses a batch with a bad
    /// item as a whole and names the item (problem "index"): that item is set aside with its code and the rest sent
    /// again. Returns the answer to the batch that went through, which items it held, and the items set aside.
    /// </summary>
    private async Task<(JsonElement Body, IReadOnlyList<int> Sent, IReadOnlyDictionary<int, (string Code, string Detail)> Refused)> SendSettingAsideAsync(
        string path, int count, Func<IReadOnlyList<int>, JsonObject> body, CancellationToken cancellationToken)
    {
        var remaining = Enumerable.Range(0, count).ToList();
        var refused = new Dictionary<int, (string Code, string Detail)>();
        while (remaining.Count > 0)
        {
            var (status, json) = await ExchangeAsync(HttpMethod.Post, path, body(remaining), cancellationToken);
            if ((int)status is >= 200 and <= 299) return (json ?? default, remaining, refused);
            var itemRefused = (int)status is >= 400 and < 500 && status != HttpStatusCode.TooManyRequests
                && json is { ValueKind: JsonValueKind.Object } problem && problem.TryGetProperty("index", out var i) && i.TryGetInt32(out var index) && index >= 0 && index < remaining.Count;
            if (!itemRefused)
                throw new EvaluationException($"POST {path}: {(int)status} {Problem(json, status)}");
            var item = json!.Value.GetProperty("index").GetInt32();
            refused[remaining[item]] = (Field(json, "code") ?? status.ToString(), Field(json, "detail") ?? "");
            remaining.RemoveAt(item);
        }
        return (default, [], refused);
    }

    private async Task<(HttpStatusCode Status, JsonElement? Body)> ExchangeAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
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
        if (json is null && text.Length > 0 && (int)status is >= 200 and <= 299)
            throw new EvaluationException($"{method} {path}: {(int)status} with a body that is not JSON");
        return (status, json);
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
        var code = Field(body, "code") ?? status.ToString();
        var detail = Field(body, "detail") ?? Field(body, "title");
        return detail is null ? code : $"{code}: {detail}";
    }

    private static string? Field(JsonElement? body, string name) =>
        body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

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
