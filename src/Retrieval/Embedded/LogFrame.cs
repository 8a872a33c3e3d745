using System.Buffers.Binary;
using System.IO.Hashing;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// A log frame: 12-byte header (magic, body length u32, CRC-32 of the body u32, little-endian) and the body.
/// A frame is the unit that is detected as whole or damaged. Frames of magic "EVL2" belong to a commit group: the body
/// starts with the frame's index in its group and the group's frame count (u32 each), then operations; one fsync
/// writes one group, and replay applies a group only when all its frames are intact, so a write is all or nothing
/// however many frames it takes. Frames of magic "EVL1" (logs written before groups) are each a group of one.
/// </summary>
internal static class LogFrame
{
    public const int HeaderBytes = 12;

    public const int GroupPrefixBytes = 8;

    /// <summary>Larger bodies are refused when writing and treated as damage when reading.</summary>
    public const int MaxBodyBytes = 1 << 30;

    /// <summary>
    /// Frames are filled to about this many bytes (a chunk of operations may pass it by one point). One frame held a
    /// whole write before: a 10,000-point upsert of 384 dims was one 15.5 MB frame, all lost to one damaged byte.
    /// </summary>
    public const int TargetBodyBytes = 1 << 20;

    public static ReadOnlySpan<byte> Magic => "EVL2"u8;

    public static ReadOnlySpan<byte> LegacyMagic => "EVL1"u8;

    /// <summary>What both magics start with, for finding frames in damaged bytes.</summary>
    public static ReadOnlySpan<byte> MagicStem => "EVL"u8;

    public static void WriteHeader(Span<byte> header, int bodyLength, uint crc)
    {
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], bodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], crc);
    }

    public static void WriteGroupPrefix(Span<byte> prefix, int index, int count)
    {
        BinaryPrimitives.WriteInt32LittleEndian(prefix, index);
        BinaryPrimitives.WriteInt32LittleEndian(prefix[4..], count);
    }

    /// <summary>The body length a header announces, or why the header cannot start a frame that fits in <paramref name="available"/> bytes.</summary>
    /// <param name="grouped">Whether the frame is an "EVL2" frame, whose body starts with its group prefix.</param>
    public static int ReadHeader(ReadOnlySpan<byte> header, long available, out uint crc, out bool grouped, out string? problem)
    {
        crc = 0;
        grouped = false;
        if (header.Length < HeaderBytes || available < HeaderBytes)
        {
            problem = "the file ends inside a frame header";
            return 0;
        }
        grouped = header[..4].SequenceEqual(Magic);
        if (!grouped && !header[..4].SequenceEqual(LegacyMagic))
        {
            problem = "no frame marker";
            return 0;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        crc = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        problem = length < (grouped ? GroupPrefixBytes : 0) || length > MaxBodyBytes ? $"impossible frame length {length}"
            : HeaderBytes + (long)length > available ? $"the file ends inside a frame ({length} body bytes announced, {available - HeaderBytes} present)"
            : null;
        return length;
    }

    /// <summary>The frame's place in its group and its operations' bytes.</summary>
    public static (int Index, int Count, ReadOnlyMemory<byte> Operations) Group(ReadOnlyMemory<byte> body, bool grouped) =>
        grouped
            ? (BinaryPrimitives.ReadInt32LittleEndian(body.Span), BinaryPrimitives.ReadInt32LittleEndian(body.Span[4..]), body[GroupPrefixBytes..])
            : (0, 1, body);

    public static uint Checksum(ReadOnlySpan<byte> body) => Crc32.HashToUInt32(body);
}
