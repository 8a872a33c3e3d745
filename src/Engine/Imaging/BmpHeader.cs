using System.Buffers.Binary;

namespace EmbeddingService.Engine.Imaging;

/// <summary>The size a BMP header declares; Skia refuses huge BMPs only as invalid input, not as too large.</summary>
internal static class BmpHeader
{
    private const int InfoHeaderStart = 14;
    private const int CoreHeaderSize = 12;

    /// <summary>Width times height as declared (a negative height means top-down rows), or null if the header is cut short.</summary>
    public static long? DeclaredPixels(ReadOnlySpan<byte> bmp)
    {
        if (bmp.Length < InfoHeaderStart + 4)
            return null;
        var headerSize = BinaryPrimitives.ReadUInt32LittleEndian(bmp[InfoHeaderStart..]);
        if (headerSize == CoreHeaderSize)
        {
            return bmp.Length < 22 ? null
                : (long)BinaryPrimitives.ReadUInt16LittleEndian(bmp[18..]) * BinaryPrimitives.ReadUInt16LittleEndian(bmp[20..]);
        }
        return bmp.Length < 26 ? null
            : Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(bmp[18..])) * Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(bmp[22..]));
    }
}
