using System.Buffers;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// Reads a collection log from the start, handing each complete group's operations to the caller (see
/// <see cref="LogFrame"/>). What follows the last complete group is cut off when no later group starts after it: a
/// damaged frame, or a group whose later frames never reached the disk (the frames of one group reach it in any order
/// until its fsync, so intact frames of the same group may follow a damaged one). That is usually the write that was under way
/// when the process or machine stopped, never acknowledged; but a disk fault in the last acknowledged records looks
/// the same. So the cut bytes are first copied to a quarantine file beside the log (fsynced), and the warning says
/// what may have been lost and where the bytes are. A damaged frame followed by the start of an intact group (written
/// only after the damaged one's fsync), or frames out of their group's order, are corruption of acknowledged data:
/// opening fails with <see cref="RetrievalError.StoreCorrupt"/>.
/// </summary>
internal static class LogReplay
{
    public const string QuarantinePrefix = PointLog.FileName + ".quarantine-";

    /// <summary>
    /// Replays the collection's log, handing each group's operations to <paramref name="apply"/> with the position
    /// just past the group; returns the intact end (the file is truncated to it).
    /// </summary>
    public static LogPosition Run(CollectionFiles files, int dimension, Action<IReadOnlyList<LogOperation>, LogPosition> apply, ILogger logger)
    {
        var shown = files.Shown(PointLog.FileName);
        using var handle = File.OpenHandle(files.PathOf(PointLog.FileName), FileMode.Open, FileAccess.ReadWrite);
        var fileLength = RandomAccess.GetLength(handle);
        var committed = LogPosition.Start;
        var offset = 0L;
        var group = new List<LogOperation>();
        var (nextIndex, groupCount) = (0, 0);
        var header = new byte[LogFrame.HeaderBytes];
        while (offset < fileLength)
        {
            var problem = TryReadFrame(handle, offset, fileLength, header, out var body, out var bodyLength, out var grouped, out var crc);
            if (problem is not null)
            {
                if (FindGroupStart(handle, offset + 1, fileLength) is { } next)
                    throw new RetrievalException(RetrievalError.StoreCorrupt,
                        $"collection '{files.Name}': {shown} is damaged at byte offset {offset} ({problem}) but intact records follow at byte offset {next}, " +
                        $"so acknowledged writes would be lost by cutting it. Restore the collection from a backup, or, to keep only what precedes the " +
                        $"damage, truncate the file to {committed.Offset} bytes (in the data directory: `truncate -s {committed.Offset} {shown}`) and restart.");
                CutTail(handle, committed.Offset, fileLength, files, logger,
                    $"are damaged at byte offset {offset} ({problem}). A write interrupted by a crash leaves this and was never acknowledged; " +
                    "but damage to the last acknowledged records looks the same, so they may hold acknowledged writes, now missing from the collection");
                return committed;
            }
            try
            {
                var (index, count, operations) = LogFrame.Group(body.AsMemory(0, bodyLength), grouped);
                if (index != nextIndex || count < 1 || index >= count || (index > 0 && count != groupCount))
                    throw new RetrievalException(RetrievalError.StoreCorrupt,
                        $"collection '{files.Name}': {shown} holds frame {index + 1} of {count} at byte offset {offset}, where " +
                        (nextIndex == 0 ? "a group's first frame" : $"frame {nextIndex + 1} of {groupCount}") +
                        $" was due: acknowledged writes are missing. Restore the collection from a backup.");
                group.AddRange(LogOperationCodec.DecodeAll(operations.Span, dimension));
                (nextIndex, groupCount) = (index + 1, count);
            }
            catch (InvalidDataException e)
            {
                throw new RetrievalException(RetrievalError.StoreCorrupt,
                    $"collection '{files.Name}': {shown}: the record at byte offset {offset} has a valid checksum but cannot be read ({e.Message}); " +
                    "it was written by an incompatible version or for another collection. Restore the collection from a backup.", inner: e);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(body);
            }
            offset += LogFrame.HeaderBytes + bodyLength;
            if (nextIndex == groupCount)
            {
                (nextIndex, committed) = (0, new LogPosition(offset, crc));
                apply(group, committed);
                group = [];
            }
        }
        if (nextIndex > 0)
            CutTail(handle, committed.Offset, fileLength, files, logger,
                $"are {nextIndex} intact frames of a write of {groupCount} whose other frames never reached the disk. A write is acknowledged only " +
                "once all its frames are, so this one was not, unless something else shortened the file");
        return committed;
    }

    /// <summary>Quarantines bytes [from, to) of the log, then cuts the log to <paramref name="from"/>, warning with <paramref name="why"/>.</summary>
    private static void CutTail(SafeFileHandle log, long from, long to, CollectionFiles files, ILogger logger, string why)
    {
        var quarantine = Quarantine(log, from, to, files);
        logger.LogWarning("Collection {Collection}: {Log} bytes {Offset} to {End} ({Bytes} bytes, the end of the log) were cut off: they {Why}. The cut bytes are kept in {Quarantine}.",
            files.Name, files.Shown(PointLog.FileName), from, to, to - from, why, files.Shown(quarantine));
        RandomAccess.SetLength(log, from);
        RandomAccess.FlushToDisk(log);
    }

    /// <summary>Copies bytes [from, to) of the log to a new quarantine file beside it, durably; returns the file's name.</summary>
    private static string Quarantine(SafeFileHandle log, long from, long to, CollectionFiles files)
    {
        var name = QuarantinePrefix + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
        var buffer = new byte[1 << 20];
        using (var file = new FileStream(files.PathOf(name), FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            for (var at = from; at < to;)
            {
                var length = (int)Math.Min(buffer.Length, to - at);
                ReadExactly(log, buffer.AsSpan(0, length), at);
                file.Write(buffer, 0, length);
                at += length;
            }
            file.Flush(flushToDisk: true);
        }
        DurableFiles.SyncDirectory(files.Directory);
        return name;
    }

    /// <summary>Null and the body (rented) when an intact frame starts at <paramref name="offset"/>; otherwise what is wrong.</summary>
    private static string? TryReadFrame(SafeFileHandle handle, long offset, long fileLength, byte[] header, out byte[] body, out int bodyLength, out bool grouped, out uint crc)
    {
        body = [];
        var headerRead = RandomAccess.Read(handle, header, offset);
        bodyLength = LogFrame.ReadHeader(header.AsSpan(0, headerRead), fileLength - offset, out crc, out grouped, out var problem);
        if (problem is not null) return problem;
        body = ArrayPool<byte>.Shared.Rent(Math.Max(bodyLength, 1));
        ReadExactly(handle, body.AsSpan(0, bodyLength), offset + LogFrame.HeaderBytes);
        if (LogFrame.Checksum(body.AsSpan(0, bodyLength)) == crc) return null;
        ArrayPool<byte>.Shared.Return(body);
        body = [];
        return "checksum mismatch";
    }

    /// <summary>The offset of the first intact frame that starts a group at or after <paramref name="from"/>, searching for frame markers.</summary>
    private static long? FindGroupStart(SafeFileHandle handle, long from, long fileLength)
    {
        var chunk = new byte[1 << 20];
        var header = new byte[LogFrame.HeaderBytes];
        var stemLength = LogFrame.MagicStem.Length;
        for (var start = from; start < fileLength; start += chunk.Length - (stemLength - 1))
        {
            var read = RandomAccess.Read(handle, chunk, start);
            var searched = 0;
            while (searched < read)
            {
                var found = chunk.AsSpan(searched, read - searched).IndexOf(LogFrame.MagicStem);
                if (found < 0) break;
                var candidate = start + searched + found;
                if (TryReadFrame(handle, candidate, fileLength, header, out var body, out var bodyLength, out var grouped, out _) is null)
                {
                    var startsGroup = LogFrame.Group(body.AsMemory(0, bodyLength), grouped).Index == 0;
                    ArrayPool<byte>.Shared.Return(body);
                    if (startsGroup) return candidate;
                }
                searched += found + 1;
            }
            if (read < chunk.Length) break;
        }
        return null;
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> destination, long offset)
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
