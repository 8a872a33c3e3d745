using EmbeddingService.Api.Hosting;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Scheduling;

namespace EmbeddingService.Api.Embedding;

/// <summary>
/// One loaded, warmed model at work: its scheduler and the request pipeline in front of it. Every request holds a
/// lease on it, so that a model swapped out finishes the requests it has before its scheduler stops.
/// </summary>
public sealed class ServingModel : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _leases;
    private bool _retired;

    private ServingModel(LoadedModel model, EmbeddingScheduler scheduler, ServingOptions serving)
    {
        Model = model;
        Scheduler = scheduler;
        var patchSize = model.Network.Config.PatchSize;
        Options = new EmbedOptionsParser(serving, patchSize, model.Network.Config.NumRegisters);
        Pipeline = new EmbeddingPipeline(scheduler, model.Descriptor, serving, patchSize);
        Reader = new EmbedRequestReader(serving, Options);
    }

    public LoadedModel Model { get; }
    public EmbeddingScheduler Scheduler { get; }
    public EmbeddingPipeline Pipeline { get; }
    public EmbedRequestReader Reader { get; }
    public EmbedOptionsParser Options { get; }

    /// <summary>Builds and starts the scheduler for a loaded, warmed model.</summary>
    public static ServingModel Start(LoadedModel model, ServingOptions serving)
    {
        var scheduler = new EmbeddingScheduler(new ImageEmbedder(model, serving.BatchLayout), new SchedulerOptions
        {
            QueueCapacity = serving.QueueCapacity,
            MaxBatchImages = serving.MaxBatchImages,
            MaxBatchTokens = serving.MaxBatchTokens,
            MaxQueueDelay = TimeSpan.FromMilliseconds(serving.MaxQueueDelayMs),
            MaxImageTokens = serving.MaxImageTokens,
            MaxRequestTokens = serving.MaxRequestTokens,
            MaxRequestPixels = serving.MaxRequestPixels,
        });
        scheduler.Start();
        return new ServingModel(model, scheduler, serving);
    }

    /// <summary>A lease for one request; false once the model is retired (the caller takes the model that replaced it).</summary>
    public bool TryAcquire()
    {
        lock (_gate)
        {
            if (_retired) return false;
            _leases++;
            return true;
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            if (--_leases == 0 && _retired) _idle.TrySetResult();
        }
    }

    /// <summary>Takes no new leases, waits (at most <paramref name="drain"/>) for the requests that hold one, then stops and releases the model.</summary>
    public async Task RetireAsync(TimeSpan drain)
    {
        lock (_gate)
        {
            _retired = true;
            if (_leases == 0) _idle.TrySetResult();
        }
        await _idle.Task.WaitAsync(drain).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Scheduler.StopAsync(drain);
        await DisposeAsync();
    }

    /// <summary>Refuses new work and finishes what is queued within <paramref name="drain"/> (shutdown).</summary>
    public Task DrainAsync(TimeSpan drain) => Scheduler.StopAsync(drain);

    public async ValueTask DisposeAsync()
    {
        await Scheduler.DisposeAsync();
        Model.Dispose();
    }
}
