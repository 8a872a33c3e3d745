using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Options;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Training;

/// <summary>
/// Follows the worker's active model (WatchActiveModel) so that every replica serves the activated model, reconnecting
/// with a growing delay (1 s to 30 s) while the worker cannot be reached. A model that fails to load is logged and
/// the replica goes on serving the previous one. Idle with Training:Enabled false. A worker that is not reachable yet
/// in the first <see cref="StartupGrace"/> (a local one is still starting) is logged as information, not a warning.
/// </summary>
public sealed class ActiveModelFollower(TrainerConnection trainer, ServedModelSwitch served, IOptions<TrainingOptions> options, ILogger<ActiveModelFollower> logger)
    : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StartupGrace = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        var delay = TimeSpan.FromSeconds(1);
        var started = Stopwatch.StartNew();
        var connected = false;
        LogLevel? reported = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var call = trainer.Client.WatchActiveModel(new V1.WatchActiveModelRequest(), cancellationToken: stoppingToken);
                await foreach (var active in call.ResponseStream.ReadAllAsync(stoppingToken))
                {
                    delay = TimeSpan.FromSeconds(1);
                    (connected, reported) = (true, null);
                    await ApplyAsync(active, stoppingToken);
                }
            }
            catch (RpcException e) when (!stoppingToken.IsCancellationRequested)
            {
                var level = connected || started.Elapsed > StartupGrace ? LogLevel.Warning : LogLevel.Information;
                if (reported is null || level > reported)
                    logger.Log(level, "Cannot follow the trainer's active model at {Address}: {Status}; retrying", trainer.Address, e.Status.Detail);
                reported = level;
            }
            // Stopping: the watch ends as a cancelled call (RpcException) or a cancelled read, and neither is a failure.
            catch (Exception e) when (e is OperationCanceledException or RpcException && stoppingToken.IsCancellationRequested)
            {
                return;
            }
            await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, MaxDelay.TotalSeconds));
        }
    }

    private async Task ApplyAsync(V1.ActiveModel active, CancellationToken cancellation)
    {
        try
        {
            await served.ApplyAsync(active, cancellation);
        }
        // Whatever made the load fail (a download cut off, weights the engine refuses), the old model keeps serving.
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not serve the activated model {Id}; serving the previous one", active.Model?.Id ?? StartupModel.ConfiguredId);
        }
    }
}
