using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace EmbeddingService.Api.Hosting;

/// <summary>
/// The base64 image strings of JSON bodies: plain base64, or a data URL of it (data:image/png;base64,...) as browsers
/// make them; the URL's media type is not trusted, the bytes decide the format as for every image.
/// </summary>
public static class Base64Images
{
    private static readonly byte[] DataScheme = "data:"u8.ToArray();
    private static readonly byte[] Base64Marker = ";base64,"u8.ToArray();

    public static bool TryDecode(JsonElement element, out byte[] bytes)
    {
        bytes = [];
        return element.ValueKind == JsonValueKind.String && TryDecode(Encoding.UTF8.GetBytes(element.GetString()!), out bytes);
    }

    /// <summary>The string token <paramref name="reader"/> is on, decoded; false for another token or a string that is not base64.</summary>
    public static bool TryDecode(ref Utf8JsonReader reader, out byte[] bytes)
    {
        bytes = [];
        if (reader.TokenType != JsonTokenType.String) return false;
        return reader is { ValueIsEscaped: false, HasValueSequence: false }
            ? TryDecode(reader.ValueSpan, out bytes)
            : TryDecode(Encoding.UTF8.GetBytes(reader.GetString()!), out bytes);
    }

    public static bool TryDecode(ReadOnlySpan<byte> utf8, out byte[] bytes)
    {
        bytes = [];
        if (utf8.Length >= DataScheme.Length && Ascii.EqualsIgnoreCase(utf8[..DataScheme.Length], DataScheme))
        {
            var comma = utf8.IndexOf((byte)',');
            if (comma < 0 || comma + 1 < Base64Marker.Length || !Ascii.EqualsIgnoreCase(utf8[(comma + 1 - Base64Marker.Length)..(comma + 1)], Base64Marker))
                return false;
            utf8 = utf8[(comma + 1)..];
        }
        var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(utf8.Length)];
        if (Base64.DecodeFromUtf8(utf8, decoded, out _, out var written) != OperationStatus.Done) return false;
        bytes = written == decoded.Length ? decoded : decoded.AsSpan(0, written).ToArray();
        return true;
    }
}
