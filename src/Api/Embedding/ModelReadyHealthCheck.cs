using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmbeddingService.Api.Embedding;

/// <summary>Healthy while the model serves; the one check behind /health/ready and grpc.health.v1.</summary>
public sealed class ModelReadyHealthCheck(EmbeddingRuntime runtime) : IHealthCheck
{
    public const string Name = "model";
    public const string ReadyTag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(runtime.IsReady ? HealthCheckResult.Healthy(runtime.State) : HealthCheckResult.Unhealthy(runtime.State));
}
