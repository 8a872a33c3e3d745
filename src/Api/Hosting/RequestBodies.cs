using System.Buffers;
using System.Text.Json;
using EmbeddingService.Api.Problems;
using Microsoft.AspNetCore.Http.Features;

namespace EmbeddingService.Api.Hosting;

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

    /// <summary>The form limit of <see cref="MultipartLimits"/> was reached: the body has more parts than a request may hold.</summary>
    public static bool IsPartCountLimit(InvalidDataException e) => e.Message.StartsWith("Form value count limit", StringComparison.Ordinal);

    /// <summary>Multipart reading for bodies of at most <paramref name="maxImages"/> images (and a few fields).</summary>
    public static FormOptions MultipartLimits(long maxBytes, int maxImages) => new() { MultipartBodyLengthLimit = maxBytes, ValueCountLimit = maxImages + 16 };

    /// <summary>The media type of the body, lower case, without parameters; null when none was sent.</summary>
    public static string? MediaType(HttpRequest request) => request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() is { Length: > 0 } type ? type : null;

    /// <summary>The Content-Types of a body that is one image file: its bytes decide the format, whatever image type is named.</summary>
    public const string RawImageTypes = "image/* or application/octet-stream";

    /// <summary>Whether <paramref name="mediaType"/> (from <see cref="MediaType"/>) is one of <see cref="RawImageTypes"/>.</summary>
    public static bool IsRawImage(string? mediaType) =>
        mediaType is not null && (mediaType.StartsWith("image/", StringComparison.Ordinal) || mediaType == "application/octet-stream");

    public static async Task<ReadOnlyMemory<byte>> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>
    /// The body in a buffer rented from the shared pool (return it by disposing): large bodies read this way, and
    /// parsed into copies, do not allocate a new large-object-heap array per request.
    /// </summary>
    public static async Task<PooledBody> ReadPooledAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 0, 4096, Array.MaxLength));
        var length = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
                if (length < buffer.Length) continue;
                var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                buffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }
            return new PooledBody(buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
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
