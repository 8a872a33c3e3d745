using EmbeddingService.Api.Collections;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Problems;
using EmbeddingService.Api.Security;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Hosting;

/// <summary>
/// Liveness and readiness over HTTP (/health/live, /health/ready) and gRPC (grpc.health.v1, service "", "ready",
/// "embedding.v1.Embedding" and "embedding.v1.Retrieval"), both from the same health checks, plus gRPC server reflection.
/// </summary>
public static class HealthSetup
{
    public static IServiceCollection AddServiceHealth(this IServiceCollection services)
    {
        services.AddGrpcHealthChecks(options =>
            {
                options.Services.Map(string.Empty, _ => true);
                options.Services.Map(ModelReadyHealthCheck.ReadyTag, r => r.Tags.Contains(ModelReadyHealthCheck.ReadyTag));
                // The gRPC services by name, as health-checking clients (grpc_health_probe -service, Envoy) ask for them.
                options.Services.Map(V1.Embedding.Descriptor.FullName, r => r.Tags.Contains(ModelReadyHealthCheck.ReadyTag));
                options.Services.Map(V1.Retrieval.Descriptor.FullName, r => r.Tags.Contains(ModelReadyHealthCheck.ReadyTag));
            })
            .AddCheck<ModelReadyHealthCheck>(ModelReadyHealthCheck.Name, tags: [ModelReadyHealthCheck.ReadyTag])
            .AddCheck<StoreReadyHealthCheck>(StoreReadyHealthCheck.Name, tags: [ModelReadyHealthCheck.ReadyTag]);
        services.AddGrpcReflection();
        return services;
    }

    public static WebApplication MapServiceHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = (context, _) => context.Response.WriteAsJsonAsync(new { status = "live" }) })
            .RequireAuthorization(AuthPolicies.Health);
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = r => r.Tags.Contains(ModelReadyHealthCheck.ReadyTag), ResponseWriter = WriteReadiness })
            .RequireAuthorization(AuthPolicies.Health);
        app.MapGrpcHealthChecksService().RequireAuthorization(AuthPolicies.Health);
        app.MapGrpcReflectionService().RequireAuthorization(AuthPolicies.Health);
        return app;
    }

    private static Task WriteReadiness(HttpContext context, HealthReport report) =>
        report.Status == HealthStatus.Healthy
            ? context.Response.WriteAsJsonAsync(new Dictionary<string, object>
            {
                ["status"] = "ready",
                [StoreReadyHealthCheck.LoadingCollectionsKey] = report.Entries.TryGetValue(StoreReadyHealthCheck.Name, out var store)
                    && store.Data.TryGetValue(StoreReadyHealthCheck.LoadingCollectionsKey, out var loading) ? loading : Array.Empty<string>(),
            })
            : ApiProblems.Result(ApiProblems.NotReady, string.Join("; ", report.Entries.Values.Select(e => e.Description))).ExecuteAsync(context);
}
