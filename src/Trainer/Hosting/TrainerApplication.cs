using System.Net;
using EmbeddingService.Hosting;
using EmbeddingService.Trainer.Endpoints;
using EmbeddingService.Trainer.Jobs;
using EmbeddingService.Trainer.Models;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Hosting;

/// <summary>
/// Builds the worker: section "Trainer" checked first, the data directory locked, the job store and scheduler, gRPC
/// (embedding.v1.Training, health, reflection) on the gRPC port, /health and /metrics on the HTTP port.
/// </summary>
public static class TrainerApplication
{
    /// <param name="args">Command-line configuration (--Trainer:Key=value).</param>
    /// <param name="configure">Last changes to the builder before it is built (e.g. in tests).</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A bad setting, named by its key.</exception>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var options = TrainerOptionsReader.Read(builder.Configuration);
        var dataLock = LockDataDirectory(options.DataDirectory);
        var dataRoot = OpenDataRoot(options);
        var listeners = new TrainerListeners();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var address = IPAddress.Parse(options.BindAddress);
            ListenOptions? grpc = null, http = null;
            // Without TLS, Http1AndHttp2 silently degrades to HTTP/1.1, which breaks gRPC: its port is HTTP/2 only.
            kestrel.Listen(address, options.GrpcPort, listen => (grpc = listen).Protocols = HttpProtocols.Http2);
            kestrel.Listen(address, options.HttpPort, listen => (http = listen).Protocols = HttpProtocols.Http1);
            listeners.Set(grpc!, http!);
        });
        builder.Services
            .AddSingleton(options)
            .AddSingleton(listeners)
            // Made by a factory so that the container disposes it (releasing the lock) with the host.
            .AddSingleton(_ => dataLock)
            .AddSingleton(TimeProvider.System)
            .AddSingleton(dataRoot)
            .AddSingleton(sp => new JobStore(options.DataDirectory, sp.GetRequiredService<TimeProvider>()))
            .AddSingleton(sp => new ModelStore(options.DataDirectory, sp.GetRequiredService<TimeProvider>()))
            .AddSingleton<ModelRegistry>()
            .AddSingleton<ActiveModelWatchers>()
            .AddSingleton<JobSubmissionValidator>()
            .AddSingleton<JobLog>()
            .AddSingleton<JobEventHub>()
            .AddSingleton<JobMetrics>()
            .AddSingleton<JobRunner>()
            .AddSingleton<JobScheduler>()
            .AddHostedService(sp => sp.GetRequiredService<JobScheduler>())
            .Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownTimeoutSeconds));
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<JobErrorInterceptor>());
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks(health =>
            {
                health.Services.Map(string.Empty, _ => true);
                health.Services.Map(V1.Training.Descriptor.FullName, _ => true);
            })
            .AddCheck<JobStoreHealthCheck>(JobStoreHealthCheck.Name);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.Services.GetRequiredService<DataDirectoryLock>();
        app.MapGrpcService<TrainingGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready");
        app.MapGet("/metrics", (JobStore store, ModelRegistry models, JobMetrics metrics) =>
            Results.Text(metrics.Render(store.CountByState(), models.Active().Generation), "text/plain; version=0.0.4; charset=utf-8"));
        return app;
    }

    /// <summary>The worker's lock on its data directory (worker.lock): a second worker on it is refused.</summary>
    internal static DataDirectoryLock LockDataDirectory(string directory) =>
        DataDirectoryLock.Acquire(directory, "worker.lock", TrainerOptionsReader.Key(nameof(TrainerOptions.DataDirectory)), "trainer worker");

    private static DataRoot OpenDataRoot(TrainerOptions options)
    {
        try
        {
            return new DataRoot(options.DataRootPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw TrainerOptionsReader.Invalid([$"{TrainerOptionsReader.Key(nameof(TrainerOptions.DataRoot))}: cannot create '{options.DataRootPath}': {e.Message}"]);
        }
    }
}
