using System.Buffers.Binary;
using System.IO.Compression;

namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// Writes an 8-bit grayscale PNG (colour type 0, no interlace, filter None on every row, zlib at its default level):
/// the smallest encoder that turns a dataset's raw pixels into files the decoder reads back exactly.
/// </summary>
public static class GrayscalePng
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <param name="pixels">Row by row, one byte per pixel.</param>
    public static byte[] Encode(int width, int height, ReadOnlySpan<byte> pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (pixels.Length != (long)width * height)
            throw new ArgumentException($"a {width}x{height} grayscale image needs {(long)width * height} bytes, got {pixels.Length}", nameof(pixels));

        using var png = new MemoryStream();
        png.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8; // bit depth
        header[9] = 0; // colour type: grayscale
        // compression 0, filter method 0, interlace 0: the zeros already there.
        WriteChunk(png, "IHDR"u8, header);
        WriteChunk(png, "IDAT"u8, Deflate(width, height, pixels));
        WriteChunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    private static byte[] Deflate(int width, int height, ReadOnlySpan<byte> pixels)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            ReadOnlySpan<byte> filterNone = [0];
            for (var row = 0; row < height; row++)
            {
                zlib.Write(filterNone);
                zlib.Write(pixels.Slice(row * width, width));
            }
        }
        return compressed.ToArray();
    }

    /// <summary>length, type, data, CRC-32 of type and data.</summary>
    private static void WriteChunk(Stream png, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typeAndData = new byte[type.Length + data.Length];
        type.CopyTo(typeAndData);
        data.CopyTo(typeAndData.AsSpan(type.Length));
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Compute(typeAndData));
        png.Write(word);
    }
}
