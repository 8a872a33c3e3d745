using System.Buffers.Binary;
using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>
/// Reads a .safetensors file (8-byte little-endian header length, JSON header, raw data) into float32 CPU
/// tensors that the caller owns. F16 and BF16 tensors are widened to float32.
/// </summary>
public static class SafeTensorsReader
{
    /// <summary>The safetensors format's own bound on the header, so a corrupt length cannot force a huge allocation.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private const int LengthPrefixBytes = 8;

    public static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = OpenOrThrow(path);
        var (header, dataStart) = ReadHeader(stream, path);
        var entries = SafeTensorsHeader.Parse(header, stream.Length - dataStart, path);

        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var entry in entries)
            {
                stream.Position = dataStart + entry.Begin;
                var bytes = new byte[entry.ByteLength];
                stream.ReadExactly(bytes);
                tensors.Add(entry.Name, ToFloat32(bytes, entry));
            }
        }
        catch
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
            throw;
        }
        return tensors;
    }

    /// <summary>The header's "__metadata__" strings (empty when it has none), without reading any tensor.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        using var stream = OpenOrThrow(path);
        var (header, _) = ReadHeader(stream, path);
        return SafeTensorsHeader.Metadata(header, path);
    }

    private static (byte[] Header, long DataStart) ReadHeader(FileStream stream, string path)
    {
        var fileLength = stream.Length;
        if (fileLength < LengthPrefixBytes)
            throw new CheckpointException($"Safetensors file '{path}' is {fileLength} bytes, too short to hold a header length.");

        Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
        stream.ReadExactly(prefix);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
            throw new CheckpointException($"Safetensors file '{path}' declares a {headerLength}-byte header, more than the format's limit of {MaxHeaderBytes}; it is corrupt.");
        if (headerLength > (ulong)(fileLength - LengthPrefixBytes))
            throw new CheckpointException($"Safetensors file '{path}' declares a {headerLength}-byte header but has only {fileLength - LengthPrefixBytes} bytes after the length; it is truncated.");

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var dataStart = LengthPrefixBytes + (long)headerLength;

        return (header, dataStart);
    }

    private static FileStream OpenOrThrow(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"Safetensors file '{path}' cannot be opened: {e.Message}", e);
        }
    }

    private static Tensor ToFloat32(byte[] bytes, SafeTensorsEntry entry)
    {
        var raw = empty(entry.Shape, entry.DType);
        raw.bytes = bytes;
        if (entry.DType == ScalarType.Float32) return raw;
        using (raw) return raw.to_type(ScalarType.Float32);
    }
}
