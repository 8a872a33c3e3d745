namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// Runs the queued jobs one at a time on the worker's one device (highest priority first, then in submission order),
/// and carries out submit, cancel, pause and resume. Pause and cancel of a running job are stop requests kept in the
/// store: the run stops at its next step boundary, checkpoints, and the job becomes paused or cancelled. On start,
/// jobs a killed worker left running are queued again and resume from their checkpoints.
/// </summary>
public sealed class JobScheduler(JobStore store, JobSubmissionValidator validator, JobEventHub events, JobLog log, JobRunner runner, ILogger<JobScheduler> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _gate = new();
    // Held across each store transition and its announcement: watchers and job.log see transitions in the store's order.
    private readonly Lock _order = new();
    private (string Id, CancellationTokenSource Stop)? _active;

    /// <summary>Validates and queues the job (or, for a repeated idempotency key with the same body, returns the first one).</summary>
    /// <summary>Queues the job, or returns the earlier one its idempotency key names (<c>Created</c> false).</summary>
    public (JobRecord Job, bool Created) Submit(JobSubmission submission)
    {
        var validated = validator.Validate(submission);
        JobRecord job;
        lock (_order)
        {
            (job, var created) = store.Submit(validated);
            if (!created) return (job, false);
            Announce(job);
        }
        logger.LogInformation("job {JobId} queued: {Kind}, priority {Priority}, spec {SpecHash}", job.Id, job.Kind, job.Priority, job.SpecHash);
        _wake.Release();
        return (job, true);
    }

    public JobRecord Get(string id) =>
        store.Find(id) ?? throw new JobRequestException(JobError.NotFound, $"there is no job '{id}'");

    /// <summary>Queued or paused: cancelled now. Running: asked to stop at its next step boundary (then cancelled).</summary>
    public JobRecord Cancel(string id) => Act(id, job => job.State switch
    {
        JobState.Queued or JobState.Paused =>
            Move(id, job.State, JobState.Cancelled, "cancelled", $"cancelled by request while {JobStates.Name(job.State)}"),
        JobState.Running => store.RequestStop(id, StopRequest.Cancel) ? Stop(id) : null,
        _ => throw Conflict(job, "only a queued, running or paused job can be cancelled"),
    });

    /// <summary>Queued: paused now (held back). Running: asked to stop at its next step boundary, checkpointed (then paused).</summary>
    public JobRecord Pause(string id) => Act(id, job => job.State switch
    {
        JobState.Paused => job,
        JobState.Queued => Move(id, JobState.Queued, JobState.Paused, "paused", "paused by request before it ran; resume queues it again"),
        JobState.Running when job.StopRequest == StopRequest.Cancel => throw Conflict(job, "it is being cancelled"),
        JobState.Running => job.StopRequest == StopRequest.Pause || store.RequestStop(id, StopRequest.Pause) ? Stop(id) : null,
        _ => throw Conflict(job, "only a queued or running job can be paused"),
    });

    /// <summary>Paused: queued again; its run continues from its last checkpoint.</summary>
    public JobRecord Resume(string id) => Act(id, job => job.State switch
    {
        JobState.Queued => job,
        JobState.Running when job.StopRequest != StopRequest.None =>
            throw Conflict(job, $"it is stopping ({JobStates.Name(job.StopRequest)} requested); resume it once it is paused"),
        JobState.Running => job,
        JobState.Paused => Requeue(id),
        _ => throw Conflict(job, "only a paused job can be resumed"),
    });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        lock (_order)
            foreach (var job in store.RecoverInterrupted())
            {
                logger.LogWarning("job {JobId}: {Message}", job.Id, job.Message);
                Announce(job);
            }
        while (!stoppingToken.IsCancellationRequested)
        {
            JobRecord? job;
            lock (_order)
            {
                job = store.ClaimNext();
                if (job is not null) Announce(job);
            }
            if (job is null)
            {
                try
                {
                    await _wake.WaitAsync(stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            logger.LogInformation("job {JobId} running: {Message}", job.Id, job.Message);
            await RunAsync(job, stoppingToken);
        }
    }

    private async Task RunAsync(JobRecord job, CancellationToken stoppingToken)
    {
        // A worker shutting down stops the run at a step boundary too; the job is then queued again (worker_stopped).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        lock (_gate) _active = (job.Id, stop);
        JobOutcome outcome;
        try
        {
            // A pause or cancel that arrived between the claim and now finds no active run to stop: honour it here.
            if (store.Find(job.Id)?.StopRequest is not StopRequest.None) await stop.CancelAsync();
            // The run blocks its thread for its whole length (and its libtorch dispose scopes are per thread).
            outcome = await Task.Factory.StartNew(() => runner.Run(job, stop.Token), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        finally
        {
            lock (_gate) _active = null;
        }
        var request = store.Find(job.Id)?.StopRequest ?? StopRequest.None;
        var (state, reason, message) = outcome.End(request);
        if (Move(job.Id, JobState.Running, state, reason, message) is { } ended)
            logger.LogInformation("job {JobId} {State} ({Reason}): {Message}", ended.Id, JobStates.Name(ended.State), ended.Reason, ended.Message);
    }

    /// <summary>Stops the job's run, if it is the one running now, at its next step boundary; returns the job as it stands.</summary>
    private JobRecord Stop(string id)
    {
        lock (_gate)
            if (_active is { } active && active.Id == id)
                active.Stop.Cancel();
        return Get(id);
    }

    /// <summary>
    /// Applies <paramref name="operation"/> to the job as it stands. The operation returns null when the job's state
    /// changed between the read and its write; the next pass then acts on the new state.
    /// </summary>
    private JobRecord Act(string id, Func<JobRecord, JobRecord?> operation)
    {
        while (true)
            if (operation(Get(id)) is { } done) return done;
    }

    private JobRecord? Requeue(string id)
    {
        var queued = Move(id, JobState.Paused, JobState.Queued, "resumed", "queued again by request; continues from its last checkpoint");
        if (queued is not null) _wake.Release();
        return queued;
    }

    private JobRecord? Move(string id, JobState from, JobState to, string reason, string message)
    {
        lock (_order)
        {
            var moved = store.TryTransition(id, [from], to, reason, message);
            if (moved is not null) Announce(moved);
            return moved;
        }
    }

    /// <summary>A transition the job's watchers and its log are told about.</summary>
    private void Announce(JobRecord job)
    {
        events.Publish(JobEvents.StateChanged(job));
        var level = job.State == JobState.Failed ? JobLogLevel.Error
            : job.Reason.StartsWith("worker_", StringComparison.Ordinal) ? JobLogLevel.Warning
            : JobLogLevel.Information;
        log.Append(job.OutputDirectory, level, $"{JobStates.Name(job.State)} ({job.Reason}): {job.Message}");
    }

    private static JobRequestException Conflict(JobRecord job, string rule) =>
        new(JobError.StateConflict, $"job {job.Id} is {JobStates.Name(job.State)} ({job.Reason}): {rule}");

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
