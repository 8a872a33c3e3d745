using EmbeddingService.Tests.Shared;
using Grpc.Net.Client;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Tests;

/// <summary>
/// The worker as a separate process (the built EmbeddingService.Trainer.dll run by dotnet), for what an in-process host
/// cannot show: a SIGKILL mid-job and the exit code of a bad setting.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly DotnetProcess _process;
    private readonly GrpcChannel _channel;

    private WorkerProcess(DotnetProcess process, int grpcPort, int httpPort)
    {
        _process = process;
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Client = new V1.Training.TrainingClient(_channel);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
    }

    public V1.Training.TrainingClient Client { get; }
    public HttpClient Http { get; }

    /// <summary>Everything the process wrote so far (for assertion messages).</summary>
    public string Output => _process.Output;

    /// <summary>Starts a worker on <paramref name="dataDirectory"/> and waits until /health/ready answers 200.</summary>
    public static async Task<WorkerProcess> StartAsync(string dataDirectory)
    {
        var (grpcPort, httpPort) = (DotnetProcess.FreePort(), DotnetProcess.FreePort());
        var worker = Start([
            $"--Trainer:DataDirectory={dataDirectory}", $"--Trainer:GrpcPort={grpcPort}", $"--Trainer:HttpPort={httpPort}", "--Trainer:BindAddress=127.0.0.1",
        ], grpcPort, httpPort);
        await worker._process.WaitUntilReadyAsync(worker.Http, "/health/ready", TimeSpan.FromMinutes(1));
        return worker;
    }

    /// <summary>Runs the worker with <paramref name="settings"/> that keep it from starting, until it exits.</summary>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(params string[] settings)
    {
        using var worker = Start(settings, DotnetProcess.FreePort(), DotnetProcess.FreePort());
        return (await worker._process.WaitForExitAsync(TimeSpan.FromMinutes(1)), worker.Output);
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGTERM: the worker stops as under an orchestrator, and exits with its code.</summary>
    public Task<int> TerminateAsync(TimeSpan timeout)
    {
        _process.Terminate();
        return _process.WaitForExitAsync(timeout);
    }

    public void Dispose()
    {
        _process.Dispose();
        _channel.Dispose();
        Http.Dispose();
    }

    private static WorkerProcess Start(string[] settings, int grpcPort, int httpPort) =>
        new(DotnetProcess.Start("EmbeddingService.Trainer", settings), grpcPort, httpPort);
}
