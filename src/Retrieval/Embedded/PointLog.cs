using System.IO.Hashing;
using System.Threading.Channels;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// The append side of a collection log, with group commit: callers queue encoded operations; one writer takes
/// everything queued, writes it as ONE group of frames of about <see cref="LogFrame.TargetBodyBytes"/> each, fsyncs
/// once, then hands the operations (in log order) to <c>applyDurable</c> and completes each caller with its result.
/// Concurrent writers thus share an fsync, a write is acknowledged only once all its frames are on disk, replay takes
/// a group whole or not at all, memory is only changed by what is on disk, and memory applies operations in exactly
/// the log's order.
/// </summary>
internal sealed class PointLog : IAsyncDisposable
{
    public const string FileName = "points.log";
    private const string RewriteSuffix = ".compacting";
    /// <summary>Queued writes one commit takes at most (it takes at least one, however large).</summary>
    private const int MaxCommitBytes = 64 << 20;

    private readonly string _path;
    private readonly CollectionFiles _files;
    private readonly Func<IReadOnlyList<LogOperation>, int[]> _applyDurable;
    private readonly Action _afterCommit;
    private readonly Action _onIdle;
    private readonly TimeSpan _idleAfter;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private FileStream _file;
    private Exception? _unusable;

    /// <param name="applyDurable">Applies operations that are on disk; returns one result per operation. Runs on the writer.</param>
    /// <param name="afterCommit">Runs on the writer after each commit, when no append is in progress (compaction hooks in here).</param>
    /// <param name="onIdle">Runs on the writer, like <paramref name="afterCommit"/>, once no write has come for <paramref name="idleAfter"/> (and again after each later write and as long a pause).</param>
    public PointLog(CollectionFiles files, LogPosition intactEnd, Func<IReadOnlyList<LogOperation>, int[]> applyDurable, Action afterCommit, Action onIdle, TimeSpan idleAfter)
    {
        _files = files;
        _path = files.PathOf(FileName);
        _applyDurable = applyDurable;
        _afterCommit = afterCommit;
        _onIdle = onIdle;
        _idleAfter = idleAfter;
        _file = OpenForAppend(_path, intactEnd);
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Leftover of a compaction that crashed before its rename: the real log is intact, so it is deleted.</summary>
    public static void DeleteInterruptedRewrite(CollectionFiles files) => File.Delete(files.PathOf(FileName + RewriteSuffix));

    public long Length => Position.Offset;

    /// <summary>The end of the last committed group: what memory holds once its operations are applied.</summary>
    public LogPosition Position { get; private set; }

    /// <summary>Completes once the operation is on disk and applied; its result is what <c>applyDurable</c> returned for it.</summary>
    /// <param name="chunks">The operation encoded (<see cref="LogOperationCodec.Encode"/>).</param>
    public Task<int> AppendAsync(LogOperation operation, List<byte[]> chunks)
    {
        var pending = new PendingWrite(operation, chunks, chunks.Sum(c => (long)c.Length), new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(PointLog));
        return pending.Done.Task;
    }

    /// <summary>
    /// Replaces the log with <paramref name="chunks"/> (the live points, each a group of its own; the rename makes the
    /// whole rewrite atomic): temp file, fsync, rename over the
    /// log, fsync the directory. A crash before the rename leaves the old log (and a temp file deleted at the next
    /// open); after it, the new one. Call only from <c>afterCommit</c>, where no append runs.
    /// </summary>
    public void Rewrite(IEnumerable<byte[]> chunks)
    {
        var temp = _path + RewriteSuffix;
        var end = LogPosition.Start;
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            foreach (var chunk in chunks) end = new LogPosition(end.Offset, WriteGroup(file, [chunk]));
            file.Flush(flushToDisk: true);
            end = end with { Offset = file.Length };
        }
        _file.Dispose();
        File.Move(temp, _path, overwrite: true);
        DurableFiles.SyncDirectory(Path.GetDirectoryName(_path)!);
        _file = OpenForAppend(_path, end);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }

    private FileStream OpenForAppend(string path, LogPosition end)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read, bufferSize: 0);
        file.Position = end.Offset;
        Position = end;
        return file;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>();
        while (await WaitForWritesAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var bytes = 0L;
            while (_queue.Reader.TryPeek(out var next) && (batch.Count == 0 || bytes + next.Bytes <= MaxCommitBytes))
            {
                _queue.Reader.TryRead(out next);
                batch.Add(next!);
                bytes += next!.Bytes;
            }
            Commit(batch);
        }
    }

    /// <summary>Waits for queued writes, running <c>onIdle</c> if none come for the idle time; false once closed and drained.</summary>
    private async Task<bool> WaitForWritesAsync()
    {
        var next = _queue.Reader.WaitToReadAsync().AsTask();
        if (!next.IsCompleted)
        {
            using var stopTimer = new CancellationTokenSource();
            var idle = Task.Delay(_idleAfter, stopTimer.Token);
            if (await Task.WhenAny(next, idle).ConfigureAwait(false) == idle) _onIdle();
            await stopTimer.CancelAsync().ConfigureAwait(false);
        }
        return await next.ConfigureAwait(false);
    }

    private void Commit(List<PendingWrite> batch)
    {
        if (_unusable is not null)
        {
            foreach (var pending in batch) pending.Done.TrySetException(_unusable);
            return;
        }
        try
        {
            var lastFrameCrc = WriteGroup(_file, batch.SelectMany(p => p.Chunks).ToList());
            _file.Flush(flushToDisk: true);
            Position = new LogPosition(_file.Position, lastFrameCrc);
        }
        catch (Exception e)
        {
            UndoPartialWrite();
            // The exception's own message may hold the absolute path.
            var failed = new RetrievalException(RetrievalError.Unavailable,
                $"collection '{_files.Name}': writing {_files.Shown(FileName)} failed ({e.GetType().Name}); the write is not acknowledged", inner: e);
            foreach (var pending in batch) pending.Done.TrySetException(failed);
            return;
        }
        int[] results;
        try
        {
            results = _applyDurable(batch.Select(p => p.Operation).ToArray());
        }
        catch (Exception e)
        {
            foreach (var pending in batch) pending.Done.TrySetException(e);
            return;
        }
        for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
        _afterCommit();
    }

    /// <summary>A failed write or fsync may have left part of a frame: cut it off so later frames follow intact ones.</summary>
    private void UndoPartialWrite()
    {
        try
        {
            _file.SetLength(Length);
            _file.Position = Length;
        }
        catch (IOException e)
        {
            // Appending after a partial frame would turn it into damage in the middle; refuse writes instead, and let
            // the next open cut it as a torn tail.
            _unusable = new RetrievalException(RetrievalError.Unavailable,
                $"collection '{_files.Name}': a failed write to {_files.Shown(FileName)} could not be undone; writes are refused until the store is reopened", inner: e);
        }
    }

    /// <summary>Writes the chunks as one group: frames of whole chunks, each of about <see cref="LogFrame.TargetBodyBytes"/>; returns the last frame's checksum.</summary>
    private static uint WriteGroup(Stream file, IReadOnlyList<byte[]> chunks)
    {
        var frames = new List<List<byte[]>> { new() };
        var bytes = 0L;
        foreach (var chunk in chunks)
        {
            if (frames[^1].Count > 0 && bytes + chunk.Length > LogFrame.TargetBodyBytes)
            {
                frames.Add([]);
                bytes = 0;
            }
            frames[^1].Add(chunk);
            bytes += chunk.Length;
        }
        Span<byte> header = stackalloc byte[LogFrame.HeaderBytes];
        var prefix = new byte[LogFrame.GroupPrefixBytes];
        var checksum = 0u;
        for (var i = 0; i < frames.Count; i++)
        {
            LogFrame.WriteGroupPrefix(prefix, i, frames.Count);
            var crc = new Crc32();
            crc.Append(prefix);
            foreach (var chunk in frames[i]) crc.Append(chunk);
            checksum = crc.GetCurrentHashAsUInt32();
            LogFrame.WriteHeader(header, prefix.Length + frames[i].Sum(c => c.Length), checksum);
            file.Write(header);
            file.Write(prefix);
            foreach (var chunk in frames[i]) file.Write(chunk);
        }
        return checksum;
    }

    private sealed record PendingWrite(LogOperation Operation, List<byte[]> Chunks, long Bytes, TaskCompletionSource<int> Done);
}
