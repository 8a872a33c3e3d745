using System.Diagnostics;
using EmbeddingService.Engine.Inference;

namespace EmbeddingService.Engine.Scheduling;

/// <summary>
/// A bounded queue of images in front of one executor thread that owns the model. The executor forms
/// batches (closing on image count, token budget or queueing delay), drops images whose deadline passed or
/// whose caller went away before computing them, and runs each batch as one packed forward. All tensor work
/// happens on the executor thread, as TorchSharp's dispose scopes are per thread. Created stopped: call
/// <see cref="Start"/> once the model is warm.
/// </summary>
public sealed class EmbeddingScheduler : IAsyncDisposable
{
    private readonly ImageEmbedder _embedder;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Queue<PendingImage> _queue = new();
    private readonly Thread _executor;
    private readonly TaskCompletionSource _executorDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SchedulerMetrics _metrics;
    private bool _accepting = true;
    private long _computed;
    private long _dropped;
    private int _announced;

    public EmbeddingScheduler(ImageEmbedder embedder, SchedulerOptions options, TimeProvider? time = null)
    {
        options.Validate();
        _embedder = embedder;
        _options = options;
        _time = time ?? TimeProvider.System;
        _metrics = new SchedulerMetrics(() => QueueDepth);
        _executor = new Thread(RunExecutor) { IsBackground = true, Name = "embedding-executor" };
    }

    public SchedulerOptions Options => _options;

    public int QueueDepth
    {
        get { lock (_gate) return _queue.Count; }
    }

    /// <summary>True while the queue holds as many images as it may; callers can refuse before decoding anything.</summary>
    public bool IsFull => QueueDepth >= _options.QueueCapacity;

    /// <summary>Images run through the model so far.</summary>
    public long ComputedImages => Interlocked.Read(ref _computed);

    /// <summary>Images removed before compute because their deadline passed or their caller went away.</summary>
    public long DroppedImages => Interlocked.Read(ref _dropped);

    public void Start() => _executor.Start();

    /// <summary>
    /// Says <paramref name="count"/> images are on their way (being decoded) until the returned handle is disposed. While none is, a
    /// batch does not wait out <see cref="SchedulerOptions.MaxQueueDelay"/> for company that is not coming, so
    /// an idle service answers a lone request without the batching delay.
    /// </summary>
    public IDisposable AnnounceArrivals(int count = 1)
    {
        Interlocked.Add(ref _announced, count);
        return new ArrivalNotice(this, count);
    }

    private sealed class ArrivalNotice(EmbeddingScheduler scheduler, int count) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            Interlocked.Add(ref scheduler._announced, -count);
            lock (scheduler._gate) Monitor.PulseAll(scheduler._gate);
        }
    }

    /// <summary>
    /// Queues an image. Throws <see cref="SchedulerRejectedException"/> at once when the queue is full or the
    /// scheduler is stopping; the returned task fails with it when the deadline passes first, and is cancelled
    /// when <paramref name="cancellationToken"/> fires first.
    /// </summary>
    public Task<ScheduledEmbedding> SubmitAsync(EmbeddingWork work, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingImage(work, _embedder.TokenCount(work.Image.Height, work.Image.Width), _time.GetUtcNow());
        // Watched before it is queued, so the executor can never complete and dispose it first.
        pending.Watch(_time, cancellationToken);
        lock (_gate)
        {
            var refusal = !_accepting
                ? new SchedulerRejectedException(SchedulerRejection.ShuttingDown, "the service is shutting down and accepts no new work")
                : _queue.Count >= _options.QueueCapacity
                    ? new SchedulerRejectedException(SchedulerRejection.Overloaded, $"the queue is full ({_options.QueueCapacity} images waiting)")
                    : null;
            if (refusal is not null)
            {
                pending.Dispose();
                throw refusal;
            }
            _queue.Enqueue(pending);
            Monitor.Pulse(_gate);
        }
        return pending.Answer;
    }

    /// <summary>
    /// Stops accepting work and lets the executor finish what is queued for up to <paramref name="drainTimeout"/>;
    /// what is still queued then fails with <see cref="SchedulerRejection.ShuttingDown"/>. Returns once the
    /// executor has finished its current batch, so no tensor work outlives the call.
    /// </summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        lock (_gate)
        {
            _accepting = false;
            Monitor.PulseAll(_gate);
        }
        if (_executor.ThreadState.HasFlag(System.Threading.ThreadState.Unstarted))
            _executorDone.TrySetResult();
        await Task.WhenAny(_executorDone.Task, Task.Delay(drainTimeout, _time));
        lock (_gate)
        {
            while (_queue.TryDequeue(out var pending))
            {
                pending.Fail(new SchedulerRejectedException(SchedulerRejection.ShuttingDown, "the service shut down before the image was computed"));
                pending.Dispose();
            }
            Monitor.PulseAll(_gate);
        }
        await _executorDone.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero);
        _metrics.Dispose();
    }

    private void RunExecutor()
    {
        try
        {
            while (TakeBatch() is { } batch)
                Execute(batch);
        }
        finally
        {
            _executorDone.TrySetResult();
        }
    }

    /// <summary>The next batch, or null once stopped and drained.</summary>
    private List<PendingImage>? TakeBatch()
    {
        var batch = new List<PendingImage>();
        var tokens = 0;
        var closeAt = DateTimeOffset.MaxValue;
        lock (_gate)
        {
            while (true)
            {
                while (_queue.TryPeek(out var next) && batch.Count < _options.MaxBatchImages)
                {
                    if (next.IsAbandoned)
                    {
                        Drop(_queue.Dequeue());
                        continue;
                    }
                    if (batch.Count > 0 && tokens + next.Tokens > _options.MaxBatchTokens)
                        return batch;
                    batch.Add(_queue.Dequeue());
                    tokens += next.Tokens;
                    if (batch.Count == 1) closeAt = _time.GetUtcNow() + _options.MaxQueueDelay;
                }
                if (batch.Count >= _options.MaxBatchImages) return batch;
                if (batch.Count == 0)
                {
                    if (!_accepting) return null;
                    Monitor.Wait(_gate);
                    continue;
                }
                var remaining = closeAt - _time.GetUtcNow();
                if (remaining <= TimeSpan.Zero || !_accepting || Volatile.Read(ref _announced) == 0) return batch;
                Monitor.Wait(_gate, remaining);
            }
        }
    }

    private void Execute(List<PendingImage> batch)
    {
        var start = _time.GetUtcNow();
        var live = new List<PendingImage>(batch.Count);
        foreach (var pending in batch)
        {
            if (!pending.IsAbandoned && pending.Work.Deadline <= start) pending.Expire();
            if (pending.IsAbandoned) Drop(pending);
            else live.Add(pending);
        }
        if (live.Count == 0) return;

        var watch = Stopwatch.StartNew();
        IReadOnlyList<ImageEmbedding> embeddings;
        try
        {
            embeddings = _embedder.Embed(live.Select(p => p.Work.Image).ToArray(), live.Select(p => p.Work.Options).ToArray());
        }
        catch (Exception error)
        {
            foreach (var pending in live)
            {
                pending.Fail(error);
                pending.Dispose();
            }
            return;
        }
        var inference = watch.Elapsed;
        var tokens = live.Sum(p => p.Tokens);
        Interlocked.Add(ref _computed, live.Count);
        _metrics.Computed.Add(live.Count);
        _metrics.BatchImages.Record(live.Count);
        _metrics.BatchTokens.Record(tokens);
        _metrics.InferenceTime.Record(inference.TotalMilliseconds);
        for (var i = 0; i < live.Count; i++)
        {
            var queued = start - live[i].Submitted;
            _metrics.QueueTime.Record(queued.TotalMilliseconds);
            live[i].Complete(new ScheduledEmbedding(embeddings[i], queued, inference, live.Count, tokens));
            live[i].Dispose();
        }
    }

    private void Drop(PendingImage pending)
    {
        Interlocked.Increment(ref _dropped);
        _metrics.Dropped.Add(1, new KeyValuePair<string, object?>("reason", pending.Answer.IsCanceled ? "cancelled" : "deadline"));
        pending.Dispose();
    }
}
