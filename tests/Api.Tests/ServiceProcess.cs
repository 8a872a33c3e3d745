using EmbeddingService.Tests.Shared;

namespace EmbeddingService.Api.Tests;

/// <summary>
/// The service as a separate process (the built EmbeddingService.Api.dll run by dotnet), for what an in-process
/// host cannot show: a SIGKILL mid-write, a SIGTERM and the exit code.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly DotnetProcess _process;

    private ServiceProcess(DotnetProcess process, int restPort)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{restPort}"), Timeout = TimeSpan.FromMinutes(2) };
    }

    public HttpClient Client { get; }

    /// <summary>Everything the process wrote so far (for assertion messages).</summary>
    public string Output => _process.Output;

    public static async Task<ServiceProcess> StartAsync(params string[] settings)
    {
        var restPort = FreePort();
        var service = Start([$"--Serving:RestPort={restPort}", .. settings], restPort);
        await service._process.WaitUntilReadyAsync(service.Client, "/health/ready", TimeSpan.FromMinutes(2));
        return service;
    }

    /// <summary>Runs the service with <paramref name="settings"/> that keep it from starting, until it exits.</summary>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(params string[] settings)
    {
        using var service = Start(settings, FreePort());
        return (await service.WaitForExitAsync(TimeSpan.FromMinutes(1)), service.Output);
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill() => _process.Kill();

    public void Terminate() => _process.Terminate();

    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public void Dispose()
    {
        _process.Dispose();
        Client.Dispose();
    }

    public static int FreePort() => DotnetProcess.FreePort();

    private static ServiceProcess Start(string[] settings, int restPort) => new(DotnetProcess.Start("EmbeddingService.Api",
        [.. TestService.LoopbackEphemeralPorts, .. TestService.NoTrainer, $"--Serving:RestPort={FreePort()}", $"--Serving:GrpcPort={FreePort()}", .. settings]), restPort);
}
