using SkiaSharp;

namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// The formats accepted, recognised by their leading bytes as Pillow's plugins do; anything else Skia could
/// decode (ICO, WBMP, HEIF, AVIF, DNG, ...) is refused before Skia sees it.
/// </summary>
internal static class ImageSignature
{
    private static ReadOnlySpan<byte> Png => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> Jpeg => [0xFF, 0xD8, 0xFF];

    public static SKEncodedImageFormat? Identify(ReadOnlySpan<byte> encoded)
    {
        if (encoded.StartsWith(Png))
            return SKEncodedImageFormat.Png;
        if (encoded.StartsWith(Jpeg))
            return SKEncodedImageFormat.Jpeg;
        if (encoded.StartsWith("GIF87a"u8) || encoded.StartsWith("GIF89a"u8))
            return SKEncodedImageFormat.Gif;
        if (encoded.StartsWith("BM"u8))
            return SKEncodedImageFormat.Bmp;
        if (encoded.Length >= 12 && encoded.StartsWith("RIFF"u8) && encoded[8..12].SequenceEqual("WEBP"u8))
            return SKEncodedImageFormat.Webp;
        return null;
    }
}
