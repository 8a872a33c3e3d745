using System.Diagnostics;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Runtime;

namespace EmbeddingService.Engine.Scheduling;

/// <summary>
/// A bounded queue of images in front of one executor thread that owns the model. Admission refuses an image or a
/// request whose cost is over its limits before anything is queued. The executor forms batches (closing on image
/// count, token budget or queueing delay) taking one image per request in turn, drops images whose deadline passed
/// or whose caller went away before computing them, and runs each batch as one packed forward. All tensor work
/// happens on the executor thread, as TorchSharp's dispose scopes are per thread. Created stopped: call
/// <see cref="Start"/> once the model is warm.
/// </summary>
public sealed class EmbeddingScheduler : IAsyncDisposable
{
    private const long NoBatchRunning = 0;

    private readonly IBatchEmbedder _embedder;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly Action _releaseFreedMemory;
    private readonly int _trimAboveBatchTokens;
    private readonly object _gate = new();
    private readonly RoundRobinQueue _queue = new();
    private readonly Thread _executor;
    private readonly TaskCompletionSource _executorDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SchedulerMetrics _metrics;
    private bool _accepting = true;
    private Exception? _executorFault;
    private long _batchStartedAt = NoBatchRunning;
    private long _computed;
    private long _dropped;
    private int _announced;

    /// <param name="releaseFreedMemory">Called when the queue is empty after a batch over <see cref="SchedulerOptions.TrimAboveBatchTokens"/>; <see cref="NativeHeap.ReleaseFreedMemory"/> unless given.</param>
    public EmbeddingScheduler(IBatchEmbedder embedder, SchedulerOptions options, TimeProvider? time = null, Action? releaseFreedMemory = null)
    {
        options.Validate();
        _embedder = embedder;
        _options = options;
        _time = time ?? TimeProvider.System;
        _releaseFreedMemory = releaseFreedMemory ?? NativeHeap.ReleaseFreedMemory;
        _trimAboveBatchTokens = options.TrimAboveBatchTokens ?? options.MaxImageTokens;
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

    /// <summary>How long the batch now in the model has been running; null while none is.</summary>
    public TimeSpan? CurrentBatchAge
    {
        get
        {
            var started = Interlocked.Read(ref _batchStartedAt);
            return started == NoBatchRunning ? null : _time.GetElapsedTime(started);
        }
    }

    public void Start() => _executor.Start();

    /// <summary>
    /// False when the executor has failed, or when the batch now running has run longer than
    /// <paramref name="maxBatchDuration"/> (a stuck forward): what a readiness check should report.
    /// </summary>
    public bool IsHealthy(TimeSpan maxBatchDuration) =>
        Volatile.Read(ref _executorFault) is null && (CurrentBatchAge is not { } age || age <= maxBatchDuration);

    /// <summary>A budget for the decoded pixels of one request, per <see cref="SchedulerOptions.MaxRequestPixels"/>.</summary>
    public RequestPixelBudget NewPixelBudget() => new(_options.MaxRequestPixels);

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

    /// <summary>Queues one image as a request of its own; see <see cref="SubmitRequest"/>.</summary>
    public Task<ScheduledEmbedding> SubmitAsync(EmbeddingWork work, CancellationToken cancellationToken = default) =>
        SubmitRequest([work], cancellationToken)[0];

    /// <summary>
    /// Queues the images of one request, all or none. Throws <see cref="SchedulerRejectedException"/> at once when an
    /// image or the request is over its limits, the queue has no room for all of them, or the scheduler is stopping;
    /// each returned task fails with it when its deadline passes first, and is cancelled when
    /// <paramref name="cancellationToken"/> fires first.
    /// </summary>
    public IReadOnlyList<Task<ScheduledEmbedding>> SubmitRequest(IReadOnlyList<EmbeddingWork> works, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(works.Count);
        cancellationToken.ThrowIfCancellationRequested();
        var tokens = Admit(works);
        var submitted = _time.GetUtcNow();
        var pending = works.Select((work, i) => new PendingImage(work, tokens[i], submitted)).ToArray();
        // Watched before they are queued, so the executor can never complete and dispose one first.
        foreach (var image in pending) image.Watch(_time, cancellationToken);
        lock (_gate)
        {
            var refusal = !_accepting
                ? new SchedulerRejectedException(SchedulerRejection.ShuttingDown, _executorFault is { } fault
                    ? $"the executor failed ({fault.Message}) and accepts no new work"
                    : "the service is shutting down and accepts no new work")
                : _queue.Count + pending.Length > _options.QueueCapacity
                    ? new SchedulerRejectedException(SchedulerRejection.Overloaded, $"the queue is full ({_queue.Count} of {_options.QueueCapacity} images waiting)")
                    : null;
            if (refusal is not null)
            {
                foreach (var image in pending) image.Dispose();
                throw refusal;
            }
            _queue.Enqueue(pending);
            Monitor.Pulse(_gate);
        }
        return pending.Select(p => p.Answer).ToArray();
    }

    /// <summary>Each image's tokens, once the request is within the per-image and per-request limits.</summary>
    private int[] Admit(IReadOnlyList<EmbeddingWork> works)
    {
        if (works.Count > _options.QueueCapacity)
            throw new SchedulerRejectedException(SchedulerRejection.RequestTooLarge,
                $"the request has {works.Count} images, more than the queue ever holds ({_options.QueueCapacity})");
        var tokens = new int[works.Count];
        long total = 0;
        for (var i = 0; i < works.Count; i++)
        {
            var image = works[i].Image;
            tokens[i] = _embedder.TokenCount(image.Height, image.Width);
            if (tokens[i] > _options.MaxImageTokens)
                throw new SchedulerRejectedException(SchedulerRejection.ImageTooLarge,
                    $"image {i} is {image.Width}x{image.Height} after preprocessing, {tokens[i]} tokens, over the limit of {_options.MaxImageTokens} per image; use a smaller resolution", i);
            total += tokens[i];
        }
        if (total > _options.MaxRequestTokens)
            throw new SchedulerRejectedException(SchedulerRejection.RequestTooLarge,
                $"the request's {works.Count} images are {total} tokens, over the limit of {_options.MaxRequestTokens} per request; split it or use a smaller resolution");
        return tokens;
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
        FailQueued(new SchedulerRejectedException(SchedulerRejection.ShuttingDown, "the service shut down before the image was computed"));
        await _executorDone.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero);
        _metrics.Dispose();
    }

    private void FailQueued(Exception error)
    {
        lock (_gate)
        {
            while (_queue.Count > 0)
            {
                var pending = _queue.Dequeue();
                pending.Fail(error);
                pending.Dispose();
            }
            Monitor.PulseAll(_gate);
        }
    }

    private void RunExecutor()
    {
        try
        {
            while (TakeBatch() is { } batch)
                Execute(batch);
        }
        catch (Exception error)
        {
            // Readiness reports it and new work is refused, rather than requests queueing behind a thread that is gone.
            lock (_gate)
            {
                _executorFault = error;
                _accepting = false;
            }
            FailQueued(new SchedulerRejectedException(SchedulerRejection.ShuttingDown, $"the executor failed before the image was computed: {error.Message}"));
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
                    if (!next.IsLive(_time.GetUtcNow()))
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
            if (pending.IsLive(start)) live.Add(pending);
            else Drop(pending);
        }
        if (live.Count == 0) return;

        var tokens = live.Sum(p => p.Tokens);
        var watch = Stopwatch.StartNew();
        Interlocked.Exchange(ref _batchStartedAt, _time.GetTimestamp());
        IReadOnlyList<ImageEmbedding>? embeddings = null;
        try
        {
            embeddings = _embedder.Embed(live.Select(p => p.Work.Image).ToArray(), live.Select(p => p.Work.Options).ToArray());
        }
        catch (Exception error)
        {
            foreach (var pending in live) pending.Fail(error);
        }
        finally
        {
            Interlocked.Exchange(ref _batchStartedAt, NoBatchRunning);
        }
        if (embeddings is not null) Complete(live, embeddings, start, watch.Elapsed, tokens);
        foreach (var pending in live) pending.Dispose();
        // After the answers, so returning the memory does not delay them; and only when nothing waits, so a busy
        // executor never pays the page faults of memory it is about to use again.
        if (tokens > _trimAboveBatchTokens && QueueDepth == 0) _releaseFreedMemory();
    }

    private void Complete(List<PendingImage> live, IReadOnlyList<ImageEmbedding> embeddings, DateTimeOffset start, TimeSpan inference, int tokens)
    {
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
        }
    }

    private void Drop(PendingImage pending)
    {
        Interlocked.Increment(ref _dropped);
        _metrics.Dropped.Add(1, new KeyValuePair<string, object?>("reason", pending.Answer.IsCanceled ? "cancelled" : "deadline"));
        pending.Dispose();
    }
}
