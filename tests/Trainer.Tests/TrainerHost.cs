using EmbeddingService.Trainer.Hosting;
using EmbeddingService.Trainer.Jobs;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Tests;

/// <summary>The worker in-process on ephemeral loopback ports, with a gRPC client and an HTTP client for /metrics.</summary>
internal sealed class TrainerHost : IAsyncDisposable
{
    private readonly GrpcChannel _channel;

    private TrainerHost(WebApplication app, string dataDirectory)
    {
        App = app;
        DataDirectory = dataDirectory;
        var listeners = app.Services.GetRequiredService<TrainerListeners>();
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{listeners.GrpcPort}");
        Client = new V1.Training.TrainingClient(_channel);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{listeners.HttpPort}") };
    }

    public WebApplication App { get; }
    public string DataDirectory { get; }
    public V1.Training.TrainingClient Client { get; }
    public HttpClient Http { get; }
    public JobScheduler Scheduler => App.Services.GetRequiredService<JobScheduler>();

    /// <param name="beforeStart">Runs after the host is built and before it starts (the scheduler is not running yet).</param>
    /// <param name="dataRoot">Trainer:DataRoot; default: the worker's default ({data directory}/data).</param>
    public static async Task<TrainerHost> StartAsync(string? dataDirectory = null, Action<JobScheduler>? beforeStart = null, string? dataRoot = null)
    {
        var data = dataDirectory ?? TinySpecs.TempDir();
        var app = TrainerApplication.Build([
            $"--Trainer:DataDirectory={data}", "--Trainer:GrpcPort=0", "--Trainer:HttpPort=0", "--Trainer:BindAddress=127.0.0.1",
            .. dataRoot is null ? Array.Empty<string>() : [$"--Trainer:DataRoot={dataRoot}"],
        ]);
        beforeStart?.Invoke(app.Services.GetRequiredService<JobScheduler>());
        await app.StartAsync();
        return new TrainerHost(app, data);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
