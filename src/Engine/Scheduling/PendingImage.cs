namespace EmbeddingService.Engine.Scheduling;

/// <summary>
/// A submitted image while it waits: its answer completes exactly once, from the executor with a result,
/// or earlier from its deadline timer or its caller's cancellation (the executor then drops it unseen).
/// </summary>
internal sealed class PendingImage : IDisposable
{
    private readonly TaskCompletionSource<ScheduledEmbedding> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _cancellation;
    private ITimer? _deadlineTimer;

    public PendingImage(EmbeddingWork work, int tokens, DateTimeOffset submitted)
    {
        Work = work;
        Tokens = tokens;
        Submitted = submitted;
    }

    public EmbeddingWork Work { get; }
    public int Tokens { get; }
    public DateTimeOffset Submitted { get; }
    public Task<ScheduledEmbedding> Answer => _answer.Task;

    /// <summary>Completed before compute (cancelled or expired): the executor must skip it.</summary>
    public bool IsAbandoned => _answer.Task.IsCompleted;

    /// <summary>
    /// Still wanted at <paramref name="now"/>: not cancelled, and expired here when its deadline has passed but its
    /// timer has not fired yet (timers run late under load).
    /// </summary>
    public bool IsLive(DateTimeOffset now)
    {
        if (Work.Deadline <= now) Expire();
        return !IsAbandoned;
    }

    public void Watch(TimeProvider time, CancellationToken cancellationToken)
    {
        var wait = Work.Deadline - time.GetUtcNow();
        _deadlineTimer = time.CreateTimer(_ => Expire(), null, wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        if (cancellationToken.CanBeCanceled)
            _cancellation = cancellationToken.Register(() => _answer.TrySetCanceled(cancellationToken));
    }

    public bool Expire() => _answer.TrySetException(new SchedulerRejectedException(SchedulerRejection.DeadlineExceeded, ExpiredMessage()));

    /// <summary>
    /// When the deadline passed, from the image's queueing: a deadline already past then (decoding took longer than
    /// the call allowed) is said so, not reported as a negative wait.
    /// </summary>
    private string ExpiredMessage()
    {
        var queued = Work.Deadline - Submitted;
        return queued > TimeSpan.Zero
            ? $"the deadline passed {queued.TotalMilliseconds:F0} ms after the image was queued, before it was computed"
            : $"the deadline had passed {(-queued).TotalMilliseconds:F0} ms before the image was queued (reading and decoding took longer than the call allowed)";
    }

    public void Complete(ScheduledEmbedding result) => _answer.TrySetResult(result);

    public void Fail(Exception error) => _answer.TrySetException(error);

    public void Dispose()
    {
        _cancellation.Dispose();
        _deadlineTimer?.Dispose();
    }
}
