using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmbeddingService.Api.Embedding;

/// <summary>Healthy while the model serves; the one check behind /health/ready and grpc.health.v1.</summary>
public sealed class ModelReadyHealthCheck(ModelHost host) : IHealthCheck
{
    public const string Name = "model";
    public const string ReadyTag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(host.IsReady ? HealthCheckResult.Healthy(host.State) : HealthCheckResult.Unhealthy(host.State));
}
