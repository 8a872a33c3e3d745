using System.Buffers.Binary;

namespace EmbeddingService.Engine.Imaging;

/// <summary>Recognises GIF and PNG headers that declare a zero width or height, which Skia reports only as invalid input.</summary>
internal static class ZeroSizeHeader
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static bool IsDeclared(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length >= 10 && (encoded.StartsWith("GIF87a"u8) || encoded.StartsWith("GIF89a"u8)))
            return BinaryPrimitives.ReadUInt16LittleEndian(encoded[6..]) == 0 || BinaryPrimitives.ReadUInt16LittleEndian(encoded[8..]) == 0;
        if (encoded.Length >= 24 && encoded.StartsWith(PngSignature) && encoded[12..16].SequenceEqual("IHDR"u8))
            return BinaryPrimitives.ReadUInt32BigEndian(encoded[16..]) == 0 || BinaryPrimitives.ReadUInt32BigEndian(encoded[20..]) == 0;
        return false;
    }
}
