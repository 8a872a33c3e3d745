using System.Buffers.Binary;

namespace EmbeddingService.Engine.Imaging;

/// <summary>Tag 0x0112 of the first IFD of an EXIF (TIFF) block, read as Pillow's <c>Image.getexif</c> reads it.</summary>
internal static class ExifOrientation
{
    private const ushort OrientationTag = 0x0112;
    private const ushort ByteType = 1;
    private const ushort ShortType = 3;
    private const ushort LongType = 4;
    private const ushort LastTiffType = 13;

    /// <summary>
    /// The tag's value; 0 when the tag is there but holds no single integer (Pillow then has a value that
    /// selects no transpose, and skips the XMP fallback); null when the block has no orientation tag.
    /// </summary>
    /// <exception cref="ImageDecodeException">The block does not start with a TIFF header, which Pillow refuses.</exception>
    public static int? Read(ReadOnlySpan<byte> exif)
    {
        if (exif.StartsWith("Exif\0\0"u8))
            exif = exif[6..];
        if (exif.IsEmpty)
            return null;
        bool bigEndian;
        if (exif.StartsWith("MM\0*"u8))
            bigEndian = true;
        else if (exif.StartsWith("II*\0"u8))
            bigEndian = false;
        else
            throw new ImageDecodeException(ImageDecodeError.Corrupt, "the EXIF block does not start with a TIFF header");

        var ifd = ReadUInt32(exif, 4, bigEndian);
        if (ifd is null || ifd > (uint)exif.Length - 2)
            return null;
        var count = ReadUInt16(exif, (int)ifd, bigEndian)!.Value;
        for (var i = 0; i < count; i++)
        {
            var entry = (int)ifd + 2 + 12 * i;
            if (entry + 12 > exif.Length)
                return null;
            var type = ReadUInt16(exif, entry + 2, bigEndian)!.Value;
            // Pillow skips entries of a type it does not know.
            if (ReadUInt16(exif, entry, bigEndian) != OrientationTag || type is 0 or > LastTiffType)
                continue;
            if (ReadUInt32(exif, entry + 4, bigEndian) != 1)
                return 0;
            // A single BYTE, SHORT or LONG lives in the entry's value field itself.
            return type switch
            {
                ByteType => exif[entry + 8],
                ShortType => ReadUInt16(exif, entry + 8, bigEndian),
                LongType => (int)Math.Min(ReadUInt32(exif, entry + 8, bigEndian)!.Value, int.MaxValue),
                _ => 0,
            };
        }
        return null;
    }

    private static ushort? ReadUInt16(ReadOnlySpan<byte> data, int offset, bool bigEndian) =>
        offset + 2 > data.Length ? null
        : bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(data[offset..]) : BinaryPrimitives.ReadUInt16LittleEndian(data[offset..]);

    private static uint? ReadUInt32(ReadOnlySpan<byte> data, int offset, bool bigEndian) =>
        offset + 4 > data.Length ? null
        : bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[offset..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
}
