using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace EmbeddingService.Api;

/// <summary>Reading request bodies under the configured size limit, with problem-coded errors.</summary>
public static class RequestBodies
{
    /// <summary>Caps the body at <paramref name="maxBytes"/>; a declared length above it is refused at once.</summary>
    public static void Limit(HttpRequest request, long maxBytes)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBytes;
        if (request.ContentLength > maxBytes)
            throw TooLarge(maxBytes);
    }

    public static ApiRequestError TooLarge(long maxBytes) => new(ApiProblems.PayloadTooLarge, $"the request body exceeds {maxBytes} bytes");

    /// <summary>The media type of the body, lower case, without parameters; null when none was sent.</summary>
    public static string? MediaType(HttpRequest request) => request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() is { Length: > 0 } type ? type : null;

    public static async Task<ReadOnlyMemory<byte>> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    public static async Task<JsonDocument> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw new ApiRequestError(ApiProblems.InvalidArgument, $"the body is not valid JSON: {e.Message}");
        }
    }
}
