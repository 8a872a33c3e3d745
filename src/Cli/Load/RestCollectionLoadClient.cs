using System.Buffers.Binary;
using System.Net.Http.Json;
using System.Text.Json;

namespace EmbeddingService.Cli.Load;

/// <summary>load-collections over REST /v1/collections: JSON bodies, vectors as numbers or as "vector_base64".</summary>
public sealed class RestCollectionLoadClient : ICollectionLoadClient
{
    private readonly HttpClient _http;
    private readonly bool _base64;

    public RestCollectionLoadClient(Uri address, string? apiKey, bool base64Vectors)
    {
        _base64 = base64Vectors;
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
        var body = _base64
            ? JsonSerializer.SerializeToUtf8Bytes(new { points = points.Select(p => new { id = p.Id, vector_base64 = Base64(p.Vector), payload = new { group = p.Group } }) })
            : JsonSerializer.SerializeToUtf8Bytes(new { points = points.Select(p => new { id = p.Id, vector = p.Vector, payload = new { group = p.Group } }) });
        return async cancellationToken =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            await Json(await _http.PostAsync($"/v1/collections/{name}/points", content, cancellationToken), cancellationToken);
        };
    }

    public async Task<double> SearchAsync(string name, float[] vector, int k, CancellationToken cancellationToken)
    {
        object query = _base64 ? new { vector_base64 = Base64(vector), k } : new { vector, k };
        var response = await Json(await _http.PostAsJsonAsync($"/v1/collections/{name}/search", query, cancellationToken), cancellationToken);
        return response.GetProperty("timings").GetProperty("store_ms").GetDouble();
    }

    public async Task DeleteAsync(string name) => await _http.DeleteAsync($"/v1/collections/{name}");

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The little-endian float32 bytes of the vector, in base64.</summary>
    private static string Base64(float[] vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        return Convert.ToBase64String(bytes);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }
}
