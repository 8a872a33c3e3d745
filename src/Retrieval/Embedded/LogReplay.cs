using System.Buffers;
using Microsoft.Extensions.Logging;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// Reads a collection log from the start, handing each frame's operations to the caller. A damaged frame with no
/// intact frame anywhere after it is a torn tail (the write that was under way when the process or machine stopped,
/// never acknowledged): the file is cut back to the last intact frame and a warning logged. A damaged frame followed
/// by an intact one is corruption of acknowledged data: opening fails with <see cref="RetrievalError.StoreCorrupt"/>.
/// </summary>
internal static class LogReplay
{
    /// <summary>Replays <paramref name="path"/>; returns its intact length (the file is truncated to it).</summary>
    public static long Run(string path, int dimension, Action<IReadOnlyList<LogOperation>> apply, ILogger logger)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        var fileLength = RandomAccess.GetLength(handle);
        var offset = 0L;
        var header = new byte[LogFrame.HeaderBytes];
        while (offset < fileLength)
        {
            var problem = TryReadFrame(handle, offset, fileLength, header, out var body, out var bodyLength);
            if (problem is not null)
            {
                var nextIntact = FindIntactFrame(handle, offset + 1, fileLength);
                if (nextIntact is { } next)
                    throw new RetrievalException(RetrievalError.StoreCorrupt,
                        $"{path} is damaged at byte offset {offset} ({problem}) but intact records follow at byte offset {next}, so acknowledged " +
                        $"writes would be lost by cutting it. Restore the collection from a backup, or, to keep only what precedes the damage, " +
                        $"truncate the file to {offset} bytes (e.g. `truncate -s {offset} {path}`) and restart.");
                logger.LogWarning("{Path}: dropping {Bytes} bytes of an incomplete write at byte offset {Offset} ({Problem}); " +
                    "this is what an interrupted write leaves behind and loses nothing that was acknowledged", path, fileLength - offset, offset, problem);
                RandomAccess.SetLength(handle, offset);
                RandomAccess.FlushToDisk(handle);
                return offset;
            }
            try
            {
                apply(LogOperationCodec.DecodeAll(body.AsSpan(0, bodyLength), dimension));
            }
            catch (InvalidDataException e)
            {
                throw new RetrievalException(RetrievalError.StoreCorrupt,
                    $"{path}: the record at byte offset {offset} has a valid checksum but cannot be read ({e.Message}); " +
                    "it was written by an incompatible version or for another collection. Restore the collection from a backup.", inner: e);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(body);
            }
            offset += LogFrame.HeaderBytes + bodyLength;
        }
        return offset;
    }

    /// <summary>Null and the body (rented) when an intact frame starts at <paramref name="offset"/>; otherwise what is wrong.</summary>
    private static string? TryReadFrame(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long offset, long fileLength, byte[] header, out byte[] body, out int bodyLength)
    {
        body = [];
        var headerRead = RandomAccess.Read(handle, header, offset);
        bodyLength = LogFrame.ReadHeader(header.AsSpan(0, headerRead), fileLength - offset, out var crc, out var problem);
        if (problem is not null) return problem;
        body = ArrayPool<byte>.Shared.Rent(Math.Max(bodyLength, 1));
        ReadExactly(handle, body.AsSpan(0, bodyLength), offset + LogFrame.HeaderBytes);
        if (LogFrame.Checksum(body.AsSpan(0, bodyLength)) == crc) return null;
        ArrayPool<byte>.Shared.Return(body);
        body = [];
        return "checksum mismatch";
    }

    /// <summary>The offset of the first intact frame at or after <paramref name="from"/>, searching for frame markers.</summary>
    private static long? FindIntactFrame(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long from, long fileLength)
    {
        var chunk = new byte[1 << 20];
        var header = new byte[LogFrame.HeaderBytes];
        var magicLength = LogFrame.Magic.Length;
        for (var start = from; start < fileLength; start += chunk.Length - (magicLength - 1))
        {
            var read = RandomAccess.Read(handle, chunk, start);
            var searched = 0;
            while (searched < read)
            {
                var found = chunk.AsSpan(searched, read - searched).IndexOf(LogFrame.Magic);
                if (found < 0) break;
                var candidate = start + searched + found;
                if (TryReadFrame(handle, candidate, fileLength, header, out var body, out _) is null)
                {
                    ArrayPool<byte>.Shared.Return(body);
                    return candidate;
                }
                searched += found + 1;
            }
            if (read < chunk.Length) break;
        }
        return null;
    }

    private static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> destination, long offset)
    {
        while (destination.Length > 0)
        {
            var read = RandomAccess.Read(handle, destination, offset);
            if (read == 0) throw new EndOfStreamException("log file shrank while being read");
            destination = destination[read..];
            offset += read;
        }
    }
}
