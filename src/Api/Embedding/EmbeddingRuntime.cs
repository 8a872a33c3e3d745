using EmbeddingService.Api.Hosting;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Scheduling;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Embedding;

/// <summary>
/// The serving side of the loaded model: its scheduler and the request pipeline in front of it. Empty until
/// the model is loaded and warm; drained on shutdown before the model is released.
/// </summary>
public sealed class EmbeddingRuntime(IOptions<ServingOptions> servingOptions) : IHostedService, IAsyncDisposable
{
    private readonly ServingOptions serving = servingOptions.Value;
    private Ready? _ready;

    public sealed record Ready(LoadedModel Model, EmbeddingScheduler Scheduler, EmbeddingPipeline Pipeline, EmbedRequestReader Reader, EmbedOptionsParser Options);

    public Ready? Current => Volatile.Read(ref _ready);

    /// <summary>Builds and starts the scheduler for a loaded, warmed model.</summary>
    public void Start(LoadedModel model)
    {
        var layout = serving.BatchLayout == "padded" ? BatchLayout.Padded : BatchLayout.Packed;
        var scheduler = new EmbeddingScheduler(new ImageEmbedder(model, layout), new SchedulerOptions
        {
            QueueCapacity = serving.QueueCapacity,
            MaxBatchImages = serving.MaxBatchImages,
            MaxBatchTokens = serving.MaxBatchTokens,
            MaxQueueDelay = TimeSpan.FromMilliseconds(serving.MaxQueueDelayMs),
            MaxImageTokens = serving.MaxImageTokens,
            MaxRequestTokens = serving.MaxRequestTokens,
            MaxRequestPixels = serving.MaxRequestPixels,
        });
        var patchSize = model.Network.Config.PatchSize;
        var options = new EmbedOptionsParser(serving, patchSize);
        scheduler.Start();
        Volatile.Write(ref _ready, new Ready(model, scheduler, new EmbeddingPipeline(scheduler, serving, patchSize), new EmbedRequestReader(serving, options), options));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Refuses new work and finishes what is queued within the drain timeout. Registered after the model host,
    /// so it stops first: the model is released only after the executor is done with it.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken) =>
        Current?.Scheduler.StopAsync(TimeSpan.FromSeconds(serving.DrainTimeoutSeconds)) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (Current is { } ready) await ready.Scheduler.DisposeAsync();
    }
}
