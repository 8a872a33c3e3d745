using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmbeddingService.Api.Collections;

/// <summary>
/// Healthy once the vector store is open; part of /health/ready. Collections the store is still loading do not make
/// the service unready (calls on them answer store_unavailable with Retry-After): they are listed under
/// <see cref="LoadingCollectionsKey"/>.
/// </summary>
public sealed class StoreReadyHealthCheck(VectorStoreHost host) : IHealthCheck
{
    public const string Name = "vector-store";
    public const string LoadingCollectionsKey = "loading_collections";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (host.Store is not { } store) return Task.FromResult(HealthCheckResult.Unhealthy(host.State));
        var loading = store.LoadingCollections;
        var description = loading.Count == 0 ? host.State : $"{host.State}; loading collections: {string.Join(", ", loading)}";
        return Task.FromResult(HealthCheckResult.Healthy(description, new Dictionary<string, object> { [LoadingCollectionsKey] = loading }));
    }
}
