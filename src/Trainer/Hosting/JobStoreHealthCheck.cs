using EmbeddingService.Trainer.Jobs;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmbeddingService.Trainer.Hosting;

/// <summary>Ready when the job store answers a query.</summary>
public sealed class JobStoreHealthCheck(JobStore store) : IHealthCheck
{
    public const string Name = "job_store";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var queued = store.CountByState()[JobState.Queued];
            return Task.FromResult(HealthCheckResult.Healthy($"{queued} jobs queued"));
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"the job store does not answer: {e.Message}"));
        }
    }
}
