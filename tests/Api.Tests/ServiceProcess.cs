using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace EmbeddingService.Api.Tests;

/// <summary>
/// The service as a separate process (the built EmbeddingService.Api.dll run by dotnet), for what an in-process
/// host cannot show: a SIGKILL mid-write, a SIGTERM and the exit code.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, int restPort)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{restPort}"), Timeout = TimeSpan.FromMinutes(2) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public HttpClient Client { get; }

    /// <summary>Everything the process wrote so far (for assertion messages).</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static async Task<ServiceProcess> StartAsync(params string[] settings)
    {
        var restPort = FreePort();
        var service = new ServiceProcess(Process.Start(StartInfo([$"--Serving:RestPort={restPort}", .. settings]))!, restPort);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            Assert.False(service._process.HasExited, $"the service exited with {(service._process.HasExited ? service._process.ExitCode : 0)}:\n{service.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"the service did not become ready:\n{service.Output}");
            try
            {
                if ((await service.Client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return service;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Runs the service with <paramref name="settings"/> that keep it from starting, until it exits.</summary>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(params string[] settings)
    {
        using var service = new ServiceProcess(Process.Start(StartInfo(settings))!, FreePort());
        return (await service.WaitForExitAsync(TimeSpan.FromMinutes(1)), service.Output);
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public void Terminate() => Assert.Equal(0, SendSignal(_process.Id, SigTerm));

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
        Client.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static ProcessStartInfo StartInfo(string[] settings)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "EmbeddingService.Api.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var argument in (string[])[dll, .. TestService.LoopbackEphemeralPorts, .. TestService.NoTrainer, $"--Serving:RestPort={FreePort()}", $"--Serving:GrpcPort={FreePort()}", .. settings])
            start.ArgumentList.Add(argument);
        return start;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
