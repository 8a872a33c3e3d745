namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// Pillow 9.4's XMP fallback in <c>Image.getexif</c>: the first <c>tiff:Orientation="d</c> or
/// <c>tiff:Orientation&gt;d</c> in the packet text. It is a text search, not XML parsing, so neither are we:
/// no entities are expanded and the work is one linear scan of the packet.
/// </summary>
internal static class XmpOrientation
{
    public static int? Find(ReadOnlySpan<byte> xmp)
    {
        var key = "tiff:Orientation"u8;
        for (var at = xmp.IndexOf(key); at >= 0; at = NextIndexOf(xmp, key, at + 1))
        {
            var rest = xmp[(at + key.Length)..];
            if (rest.Length >= 3 && rest[0] == '=' && rest[1] == '"' && char.IsAsciiDigit((char)rest[2]))
                return rest[2] - '0';
            if (rest.Length >= 2 && rest[0] == '>' && char.IsAsciiDigit((char)rest[1]))
                return rest[1] - '0';
        }
        return null;
    }

    private static int NextIndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle, int from)
    {
        var found = haystack[from..].IndexOf(needle);
        return found < 0 ? -1 : from + found;
    }
}
