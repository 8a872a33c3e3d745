using System.Net.Http.Headers;
using System.Text.Json;

namespace EmbeddingService.Cli.Load;

/// <summary>POST /v1/embed with the raw image as the body.</summary>
public sealed class RestLoadClient : ILoadClient
{
    private readonly HttpClient _http;
    private readonly string _path;

    public RestLoadClient(Uri baseAddress, string? apiKey, string query)
    {
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };
        if (apiKey is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        _path = "/v1/embed" + query;
    }

    public async Task<(string? Error, float[]? Embedding)> EmbedAsync(int index, byte[] image, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var response = await _http.PostAsync(_path, content, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        using var json = JsonDocument.Parse(body);
        if (!response.IsSuccessStatusCode)
            return (json.RootElement.TryGetProperty("code", out var code) ? code.GetString() : $"http_{(int)response.StatusCode}", null);
        var embedding = json.RootElement.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return (null, embedding);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
