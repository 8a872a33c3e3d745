using System.Net.Http.Json;
using System.Text.Json;

namespace EmbeddingService.Cli.Load;

/// <summary>load-collections over REST /v1/collections (JSON bodies).</summary>
public sealed class RestCollectionLoadClient : ICollectionLoadClient
{
    private readonly HttpClient _http;

    public RestCollectionLoadClient(Uri address, string? apiKey)
    {
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(5) };
        if (apiKey is not null) _http.DefaultRequestHeaders.Add("X-API-Key", apiKey);
    }

    public async Task<int> CreateAsync(string name, string index, CancellationToken cancellationToken)
    {
        var created = await Json(await _http.PutAsJsonAsync($"/v1/collections/{name}", new { index }, cancellationToken), cancellationToken);
        return created.GetProperty("model").GetProperty("dim").GetInt32();
    }

    public Func<CancellationToken, Task> PrepareUpsert(string name, IReadOnlyList<(string Id, float[] Vector, int Group)> points)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new { points = points.Select(p => new { id = p.Id, vector = p.Vector, payload = new { group = p.Group } }) });
        return async cancellationToken =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            await Json(await _http.PostAsync($"/v1/collections/{name}/points", content, cancellationToken), cancellationToken);
        };
    }

    public async Task<double> SearchAsync(string name, float[] vector, int k, CancellationToken cancellationToken)
    {
        var response = await Json(await _http.PostAsJsonAsync($"/v1/collections/{name}/search", new { vector, k }, cancellationToken), cancellationToken);
        return response.GetProperty("timings").GetProperty("store_ms").GetDouble();
    }

    public async Task DeleteAsync(string name) => await _http.DeleteAsync($"/v1/collections/{name}");

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }
}
