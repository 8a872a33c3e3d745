using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Grpc.Net.Client;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Tests;

/// <summary>
/// The worker as a separate process (the built EmbeddingService.Trainer.dll run by dotnet), for what an in-process host
/// cannot show: a SIGKILL mid-job and the exit code of a bad setting.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly GrpcChannel _channel;

    private WorkerProcess(Process process, int grpcPort, int httpPort)
    {
        _process = process;
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Client = new V1.Training.TrainingClient(_channel);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public V1.Training.TrainingClient Client { get; }
    public HttpClient Http { get; }

    /// <summary>Everything the process wrote so far (for assertion messages).</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts a worker on <paramref name="dataDirectory"/> and waits until /health/ready answers 200.</summary>
    public static async Task<WorkerProcess> StartAsync(string dataDirectory)
    {
        var (grpcPort, httpPort) = (FreePort(), FreePort());
        var worker = new WorkerProcess(Process.Start(StartInfo([
            $"--Trainer:DataDirectory={dataDirectory}", $"--Trainer:GrpcPort={grpcPort}", $"--Trainer:HttpPort={httpPort}", "--Trainer:BindAddress=127.0.0.1",
        ]))!, grpcPort, httpPort);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            Assert.False(worker._process.HasExited, $"the worker exited:\n{worker.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"the worker did not become ready:\n{worker.Output}");
            try
            {
                if ((await worker.Http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return worker;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Runs the worker with <paramref name="settings"/> that keep it from starting, until it exits.</summary>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(params string[] settings)
    {
        using var worker = new WorkerProcess(Process.Start(StartInfo(settings))!, FreePort(), FreePort());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await worker._process.WaitForExitAsync(timeout.Token);
        return (worker._process.ExitCode, worker.Output);
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>SIGTERM: the worker stops as under an orchestrator, and exits with its code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        Assert.Equal(0, SendSignal(_process.Id, SigTerm));
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
        _channel.Dispose();
        Http.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static ProcessStartInfo StartInfo(string[] settings)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "EmbeddingService.Trainer.dll"), .. settings])
            start.ArgumentList.Add(argument);
        return start;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
