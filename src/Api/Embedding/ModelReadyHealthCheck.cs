using EmbeddingService.Api.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Embedding;

/// <summary>Healthy while the model serves; the one check behind /health/ready and grpc.health.v1.</summary>
public sealed class ModelReadyHealthCheck(EmbeddingRuntime runtime, IOptions<ServingOptions> serving) : IHealthCheck
{
    public const string Name = "model";
    public const string ReadyTag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!runtime.IsReady) return Task.FromResult(HealthCheckResult.Unhealthy(runtime.State));
        // A batch far past any normal duration, or a failed executor thread, means nothing queued will be served.
        if (runtime.Current?.Scheduler is { } scheduler && !scheduler.IsHealthy(TimeSpan.FromSeconds(serving.Value.MaxBatchSeconds)))
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"executor stuck or failed (current batch running {scheduler.CurrentBatchAge?.TotalSeconds ?? 0:F0} s, limit {serving.Value.MaxBatchSeconds} s)"));
        return Task.FromResult(HealthCheckResult.Healthy(runtime.State));
    }
}
