using System.Diagnostics;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Engine.Inference;
using Microsoft.Extensions.Options;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Training;

/// <summary>
/// Brings what this replica serves in line with the worker's active model, one change at a time: fetches the
/// weights into the model cache, loads and warms them while the current model serves (<see cref="EmbeddingRuntime.SwapAsync"/>),
/// and records the activation for the next start. No active model means Model:Weights ("configured").
/// </summary>
public sealed class ServedModelSwitch(
    EmbeddingRuntime runtime, StartupModel startup, ModelCache cache, TrainerConnection trainer, IOptions<ModelOptions> model, ILogger<ServedModelSwitch> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _servingId;

    /// <summary>The id of the model serving now ("configured" or a model id).</summary>
    public string ServingId => _servingId ?? startup.Id;

    /// <summary>The configured model's fingerprint, once this replica has served it.</summary>
    public string? ConfiguredFingerprint { get; private set; }

    /// <summary>How long the last change took, from the activation to the new model serving.</summary>
    public TimeSpan? LastSwitch { get; private set; }

    /// <summary>Serves <paramref name="active"/>'s model (or the configured one) unless it is serving already.</summary>
    public async Task ApplyAsync(V1.ActiveModel active, CancellationToken cancellation)
    {
        await _gate.WaitAsync(cancellation);
        try
        {
            // A swap before the start-up load has finished would be overwritten by it.
            while (runtime.Current is null && runtime.LoadFailure is null) await Task.Delay(50, cancellation);
            NoteConfigured();
            var target = active.Model;
            var targetId = target?.Id ?? StartupModel.ConfiguredId;
            if (targetId == ServingId && (target is null || runtime.Current?.Model.Descriptor.WeightsFingerprint == target.Fingerprint))
            {
                cache.WriteActive(target);
                return;
            }
            var watch = Stopwatch.StartNew();
            var configured = model.Value.LoadRequest();
            var request = target is null ? configured : StartupModel.ActivatedRequest(configured, await cache.FetchAsync(target, trainer.Client, cancellation));
            logger.LogInformation("Switching from model {From} to {To} (activation generation {Generation})", ServingId, targetId, active.Generation);
            await runtime.SwapAsync(request);
            _servingId = targetId;
            cache.WriteActive(target);
            NoteConfigured();
            LastSwitch = watch.Elapsed;
            logger.LogInformation("Serving model {Id} ({Fingerprint}) after {Seconds:F2} s", targetId, runtime.Current?.Model.Descriptor.WeightsFingerprint, watch.Elapsed.TotalSeconds);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void NoteConfigured()
    {
        if (ServingId == StartupModel.ConfiguredId && runtime.Current is { } current) ConfiguredFingerprint = current.Model.Descriptor.WeightsFingerprint;
    }
}
