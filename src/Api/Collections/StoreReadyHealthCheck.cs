using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmbeddingService.Api.Collections;

/// <summary>Healthy once the vector store is open; part of /health/ready.</summary>
public sealed class StoreReadyHealthCheck(VectorStoreHost host) : IHealthCheck
{
    public const string Name = "vector-store";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(host.Store is not null ? HealthCheckResult.Healthy(host.State) : HealthCheckResult.Unhealthy(host.State));
}
