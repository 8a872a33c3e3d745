using System.Buffers.Binary;
using System.IO.Compression;

namespace EmbeddingService.Training.Data;

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST (yann.lecun.com/exdb/mnist): two zero bytes, a type byte (0x08,
/// unsigned byte, the only one these datasets use), the number of dimensions, each dimension as a big-endian int32, then
/// the values. Plain or gzip-compressed (told by the gzip magic, not the name). Anything else, a truncated file, or bytes
/// after the values is an <see cref="InvalidDataException"/> naming the file. <see cref="Encode"/> writes the same layout.
/// </summary>
public static class IdxFile
{
    private const byte UnsignedByte = 0x08;
    private const int MaxDimensions = 4;

    public static IdxArray Read(string path)
    {
        var bytes = Decompress(path, File.ReadAllBytes(path));
        if (bytes.Length < 4)
            throw Bad(path, $"is {bytes.Length} bytes long, shorter than the 4-byte IDX magic");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw Bad(path, $"is not an IDX file: it starts with 0x{bytes[0]:x2} 0x{bytes[1]:x2}, not two zero bytes");
        if (bytes[2] != UnsignedByte)
            throw Bad(path, $"holds IDX type 0x{bytes[2]:x2}; only unsigned bytes (0x08) are supported");
        var rank = bytes[3];
        if (rank is < 1 or > MaxDimensions)
            throw Bad(path, $"declares {rank} dimensions; expected 1 to {MaxDimensions}");
        var header = 4 + 4 * rank;
        if (bytes.Length < header)
            throw Bad(path, $"ends inside its header ({bytes.Length} of {header} bytes)");

        var dimensions = new int[rank];
        long expected = 1;
        for (var d = 0; d < rank; d++)
        {
            dimensions[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (dimensions[d] < 1) throw Bad(path, $"declares dimension {d} as {dimensions[d]}");
            expected *= dimensions[d];
            if (expected > Array.MaxLength) throw Bad(path, $"declares {string.Join('x', dimensions[..(d + 1)])} values, too many to hold");
        }
        var actual = bytes.LongLength - header;
        if (actual < expected)
            throw Bad(path, $"is truncated: {string.Join('x', dimensions)} needs {expected} value bytes, the file has {actual}");
        if (actual > expected)
            throw Bad(path, $"has {actual - expected} bytes after the {string.Join('x', dimensions)} values it declares");
        return new IdxArray(dimensions, bytes[header..]);
    }

    /// <summary>The uncompressed IDX bytes of an unsigned-byte array.</summary>
    public static byte[] Encode(IReadOnlyList<int> dimensions, ReadOnlySpan<byte> values)
    {
        if (dimensions.Count is < 1 or > MaxDimensions || dimensions.Any(d => d < 1))
            throw new ArgumentException($"IDX needs 1 to {MaxDimensions} positive dimensions, got [{string.Join(", ", dimensions)}]", nameof(dimensions));
        if (dimensions.Aggregate(1L, (product, d) => product * d) != values.Length)
            throw new ArgumentException($"[{string.Join(", ", dimensions)}] needs {dimensions.Aggregate(1L, (p, d) => p * d)} values, got {values.Length}", nameof(values));
        var header = 4 + 4 * dimensions.Count;
        var bytes = new byte[header + values.Length];
        bytes[2] = UnsignedByte;
        bytes[3] = (byte)dimensions.Count;
        for (var d = 0; d < dimensions.Count; d++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dimensions[d]);
        values.CopyTo(bytes.AsSpan(header));
        return bytes;
    }

    private static byte[] Decompress(string path, byte[] bytes)
    {
        if (bytes is not [0x1f, 0x8b, ..]) return bytes;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            gzip.CopyTo(plain);
            return plain.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw Bad(path, $"is a damaged or truncated gzip file ({e.Message})");
        }
    }

    private static InvalidDataException Bad(string path, string problem) => new($"{path} {problem}");
}
