using System.Diagnostics;
using EmbeddingService.Api.Problems;
using Grpc.Core;
using Microsoft.Extensions.Options;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Training;

/// <summary>
/// Activation through this API (REST and gRPC): the worker records the activation (which every replica follows), and
/// this replica switches at once rather than waiting for its follower, so that the answer tells what it serves.
/// </summary>
public sealed class ModelActivation(TrainerConnection trainer, ServedModelSwitch served, IOptions<TrainingOptions> options)
{
    public async Task<(V1.ActiveModel Active, TimeSpan Elapsed)> ActivateAsync(string id, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        var active = await trainer.CallAsync((c, o) => c.ActivateModelAsync(new V1.ModelRef { Id = id }, o), cancellation);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        wait.CancelAfter(TimeSpan.FromSeconds(options.Value.ActivateWaitSeconds));
        try
        {
            await served.ApplyAsync(active, wait.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new ApiRequestError(ApiProblems.DeadlineExceeded,
                $"model '{id}' is activated but this replica has not loaded it within Training:ActivateWaitSeconds ({options.Value.ActivateWaitSeconds} s); GET /v1/admin/models shows when it serves");
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw TrainerErrors.ToProblem(e);
        }
        catch (Exception e) when (e is not OperationCanceledException and not ApiRequestError)
        {
            throw new ApiRequestError(ApiProblems.ModelLoadFailed, $"model '{id}' is activated but this replica could not load it, and serves the previous model: {e.Message}");
        }
        return (active, watch.Elapsed);
    }
}
