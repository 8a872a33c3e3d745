using System.Buffers.Binary;
using System.IO.Hashing;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// A log frame: 12-byte header (magic "EVL1", body length u32, CRC-32 of the body u32, little-endian) and the body.
/// A frame is the unit that reaches the disk whole or is detected as damaged: one fsync writes one frame.
/// </summary>
internal static class LogFrame
{
    public const int HeaderBytes = 12;

    /// <summary>Larger bodies are refused when writing and treated as damage when reading.</summary>
    public const int MaxBodyBytes = 1 << 30;

    public static ReadOnlySpan<byte> Magic => "EVL1"u8;

    public static void WriteHeader(Span<byte> header, int bodyLength, uint crc)
    {
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], bodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], crc);
    }

    /// <summary>The body length a header announces, or why the header cannot start a frame that fits in <paramref name="available"/> bytes.</summary>
    public static int ReadHeader(ReadOnlySpan<byte> header, long available, out uint crc, out string? problem)
    {
        crc = 0;
        if (header.Length < HeaderBytes || available < HeaderBytes)
        {
            problem = "the file ends inside a frame header";
            return 0;
        }
        if (!header[..4].SequenceEqual(Magic))
        {
            problem = "no frame marker";
            return 0;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        crc = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        problem = length < 0 || length > MaxBodyBytes ? $"impossible frame length {length}"
            : HeaderBytes + (long)length > available ? $"the file ends inside a frame ({length} body bytes announced, {available - HeaderBytes} present)"
            : null;
        return length;
    }

    public static uint Checksum(ReadOnlySpan<byte> body) => Crc32.HashToUInt32(body);
}
