using System.IO.Hashing;
using System.Threading.Channels;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// The append side of a collection log, with group commit: callers queue encoded operations; one writer takes
/// everything queued, writes it as ONE frame, fsyncs once, then hands the operations (in log order) to
/// <c>applyDurable</c> and completes each caller with its result. Concurrent writers thus share an fsync, memory
/// is only changed by what is on disk, and memory applies operations in exactly the log's order.
/// </summary>
internal sealed class PointLog : IAsyncDisposable
{
    public const string FileName = "points.log";
    private const string RewriteSuffix = ".compacting";
    private const int MaxFrameBodyBytes = 64 << 20;

    private readonly string _path;
    private readonly Func<IReadOnlyList<LogOperation>, int[]> _applyDurable;
    private readonly Action _afterCommit;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private FileStream _file;
    private Exception? _unusable;

    /// <param name="applyDurable">Applies operations that are on disk; returns one result per operation. Runs on the writer.</param>
    /// <param name="afterCommit">Runs on the writer after each commit, when no append is in progress (compaction hooks in here).</param>
    public PointLog(string directory, long intactLength, Func<IReadOnlyList<LogOperation>, int[]> applyDurable, Action afterCommit)
    {
        _path = Path.Combine(directory, FileName);
        _applyDurable = applyDurable;
        _afterCommit = afterCommit;
        _file = OpenForAppend(_path, intactLength);
        _writer = Task.Run(WriteLoopAsync);
    }

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    /// <summary>Leftover of a compaction that crashed before its rename: the real log is intact, so it is deleted.</summary>
    public static void DeleteInterruptedRewrite(string directory) => File.Delete(PathIn(directory) + RewriteSuffix);

    public long Length { get; private set; }

    /// <summary>Completes once the operation is on disk and applied; its result is what <c>applyDurable</c> returned for it.</summary>
    public Task<int> AppendAsync(LogOperation operation, byte[] encoded)
    {
        if (encoded.Length > MaxFrameBodyBytes)
            throw new RetrievalException(RetrievalError.InvalidArgument, $"the batch encodes to {encoded.Length} bytes, more than the {MaxFrameBodyBytes} one write may hold; split it");
        var pending = new PendingWrite(operation, encoded, new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(PointLog));
        return pending.Done.Task;
    }

    /// <summary>
    /// Replaces the log with frames of <paramref name="bodies"/> (the live points): temp file, fsync, rename over the
    /// log, fsync the directory. A crash before the rename leaves the old log (and a temp file deleted at the next
    /// open); after it, the new one. Call only from <c>afterCommit</c>, where no append runs.
    /// </summary>
    public void Rewrite(IEnumerable<byte[]> bodies)
    {
        var temp = _path + RewriteSuffix;
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            foreach (var body in bodies) WriteFrame(file, [body]);
            file.Flush(flushToDisk: true);
        }
        _file.Dispose();
        File.Move(temp, _path, overwrite: true);
        DurableFiles.SyncDirectory(Path.GetDirectoryName(_path)!);
        _file = OpenForAppend(_path, new FileInfo(_path).Length);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }

    private FileStream OpenForAppend(string path, long length)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read, bufferSize: 0);
        file.Position = length;
        Length = length;
        return file;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var bytes = 0L;
            while (bytes < MaxFrameBodyBytes && _queue.Reader.TryPeek(out var next) && (batch.Count == 0 || bytes + next.Encoded.Length <= MaxFrameBodyBytes))
            {
                _queue.Reader.TryRead(out next);
                batch.Add(next!);
                bytes += next!.Encoded.Length;
            }
            Commit(batch);
        }
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
            WriteFrame(_file, batch.Select(p => p.Encoded).ToArray());
            _file.Flush(flushToDisk: true);
            Length = _file.Position;
        }
        catch (Exception e)
        {
            UndoPartialWrite();
            foreach (var pending in batch) pending.Done.TrySetException(e);
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
            _unusable = new IOException($"{_path}: a failed write could not be undone; writes are refused until the store is reopened", e);
        }
    }

    private static void WriteFrame(Stream file, byte[][] bodies)
    {
        var crc = new Crc32();
        var length = 0;
        foreach (var body in bodies)
        {
            crc.Append(body);
            length += body.Length;
        }
        Span<byte> header = stackalloc byte[LogFrame.HeaderBytes];
        LogFrame.WriteHeader(header, length, crc.GetCurrentHashAsUInt32());
        file.Write(header);
        foreach (var body in bodies) file.Write(body);
    }

    private sealed record PendingWrite(LogOperation Operation, byte[] Encoded, TaskCompletionSource<int> Done);
}
