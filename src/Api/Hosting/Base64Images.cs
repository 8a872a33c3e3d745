using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace EmbeddingService.Api.Hosting;

/// <summary>
/// The base64 image strings of JSON bodies: plain base64 (System.Text.Json's own decoder, as before), or a data URL of
/// it (data:image/png;base64,...) as browsers make them; the URL's media type is not trusted, the bytes decide the
/// format as for every image.
/// </summary>
public static class Base64Images
{
    private static readonly byte[] DataScheme = "data:"u8.ToArray();
    private static readonly byte[] Base64Marker = ";base64,"u8.ToArray();

    public static bool TryDecode(JsonElement element, out ReadOnlyMemory<byte> bytes)
    {
        bytes = default;
        if (element.ValueKind != JsonValueKind.String) return false;
        if (element.TryGetBytesFromBase64(out var plain))
        {
            bytes = plain;
            return true;
        }
        return TryDecodeDataUrl(Encoding.UTF8.GetBytes(element.GetString()!), out bytes);
    }

    /// <summary>The string token <paramref name="reader"/> is on, decoded; false for another token or a string that is not base64.</summary>
    public static bool TryDecode(ref Utf8JsonReader reader, out ReadOnlyMemory<byte> bytes)
    {
        bytes = default;
        if (reader.TokenType != JsonTokenType.String) return false;
        if (reader.TryGetBytesFromBase64(out var plain))
        {
            bytes = plain;
            return true;
        }
        ReadOnlySpan<byte> text = reader is { ValueIsEscaped: false, HasValueSequence: false } ? reader.ValueSpan : Encoding.UTF8.GetBytes(reader.GetString()!);
        return TryDecodeDataUrl(text, out bytes);
    }

    private static bool TryDecodeDataUrl(ReadOnlySpan<byte> utf8, out ReadOnlyMemory<byte> bytes)
    {
        bytes = default;
        if (utf8.Length < DataScheme.Length || !Ascii.EqualsIgnoreCase(utf8[..DataScheme.Length], DataScheme)) return false;
        var comma = utf8.IndexOf((byte)',');
        if (comma < 0 || comma + 1 < Base64Marker.Length || !Ascii.EqualsIgnoreCase(utf8[(comma + 1 - Base64Marker.Length)..(comma + 1)], Base64Marker))
            return false;
        var encoded = utf8[(comma + 1)..];
        var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(encoded.Length)];
        if (Base64.DecodeFromUtf8(encoded, decoded, out _, out var written) != OperationStatus.Done) return false;
        bytes = decoded.AsMemory(0, written);
        return true;
    }
}
