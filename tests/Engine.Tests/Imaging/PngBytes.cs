using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace EmbeddingService.Engine.Tests.Imaging;

/// <summary>Writes PNG files chunk by chunk, so tests can build the exact layouts (and faults) they need.</summary>
internal static class PngBytes
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] File(params byte[][] chunks) => [.. Signature, .. chunks.SelectMany(chunk => chunk)];

    public static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    public static byte[] Ihdr(int width, int height, int bitDepth, int colorType, bool interlaced = false)
    {
        var data = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(data, width);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), height);
        data[8] = (byte)bitDepth;
        data[9] = (byte)colorType;
        data[12] = (byte)(interlaced ? 1 : 0);
        return Chunk("IHDR", data);
    }

    /// <summary>One IDAT holding the given filtered scanlines (each starting with its filter byte).</summary>
    public static byte[] Idat(byte[] scanlines) => Chunk("IDAT", Deflate(scanlines));

    /// <summary>Scanlines with filter type 0 (None) for rows of the given bytes.</summary>
    public static byte[] Unfiltered(params byte[][] rows) => [.. rows.SelectMany(row => new byte[] { 0 }.Concat(row))];

    public static byte[] Iend() => Chunk("IEND", []);

    public static byte[] Text(string keyword, string text) =>
        Chunk("tEXt", [.. Encoding.Latin1.GetBytes(keyword), 0, .. Encoding.Latin1.GetBytes(text)]);

    public static byte[] CompressedText(string keyword, string text) =>
        Chunk("zTXt", [.. Encoding.Latin1.GetBytes(keyword), 0, 0, .. Deflate(Encoding.Latin1.GetBytes(text))]);

    public static byte[] InternationalText(string keyword, string text, bool compressed)
    {
        var body = Encoding.UTF8.GetBytes(text);
        return Chunk("iTXt", [.. Encoding.Latin1.GetBytes(keyword), 0, (byte)(compressed ? 1 : 0), 0, 0, 0, .. compressed ? Deflate(body) : body]);
    }

    public static byte[] Deflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal))
            zlib.Write(data);
        return output.ToArray();
    }

    private static uint Crc(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
