using EmbeddingService.Api.Collections;
using EmbeddingService.Api.Embedding;
using Serilog.Events;
using Serilog.Filters;

namespace EmbeddingService.Api.Hosting;

/// <summary>
/// The health check service logs every unhealthy result at Error, so each readiness probe while the model loads or the
/// vector store opens (or while the service drains) logged an error for an expected 503. Those lines are left out; the
/// probe's own request line is at Debug. A check that fails for real (a model that failed to load, a stuck executor, a
/// store that could not open) or that throws still logs at Error.
/// </summary>
public static class StartingProbes
{
    private static readonly Func<LogEvent, bool> FromHealthChecks = Matching.FromSource("Microsoft.Extensions.Diagnostics.HealthChecks");

    public static bool IsExpectedNotReady(LogEvent e, IServiceProvider services) =>
        e.Exception is null && FromHealthChecks(e) && e.Properties.TryGetValue("HealthCheckName", out var name) && (name as ScalarValue)?.Value switch
        {
            ModelReadyHealthCheck.Name => services.GetRequiredService<EmbeddingRuntime>() is { IsReady: false, LoadFailure: null },
            StoreReadyHealthCheck.Name => services.GetRequiredService<VectorStoreHost>() is { Store: null, OpenFailure: null },
            _ => false,
        };
}
