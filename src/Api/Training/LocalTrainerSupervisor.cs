using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Training;

/// <summary>
/// Keeps a local trainer worker running when no Training:Endpoint is set. A worker that already answers on
/// 127.0.0.1:Training:LocalHttpPort is adopted (after a kill -9 of the API its worker keeps running its jobs: it is not
/// started twice, and its data-directory lock would refuse a second one anyway); otherwise one is started, and started
/// again when it dies, waiting 1, 2, 4… seconds up to Training:MaxRestartDelaySeconds between failures. The worker runs
/// detached from the API's output (its log is worker.log in Training:DataDirectory) so that it outlives the API; its
/// pid is kept in worker.pid there, and a graceful stop of the API sends it SIGTERM (it checkpoints at a step boundary,
/// and its job resumes when a worker starts again). Idle with Training:Endpoint set or Training:Enabled false.
/// </summary>
public sealed class LocalTrainerSupervisor(IOptions<TrainingOptions> options, IHostApplicationLifetime lifetime, ILogger<LocalTrainerSupervisor> logger)
    : BackgroundService
{
    public const string PidFile = "worker.pid";
    public const string LogFile = "worker.log";
    private const int SigTerm = 15;
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(30);

    private readonly TrainingOptions _options = options.Value;
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(5) };
    private int? _workerPid;

    /// <summary>The worker's process id while one is known to run (started here or adopted).</summary>
    public int? WorkerPid => _workerPid;

    /// <summary>How many workers this API started (the first included).</summary>
    public int Starts { get; private set; }

    private string DataDirectory => Path.GetFullPath(_options.DataDirectory);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled || !string.IsNullOrWhiteSpace(_options.Endpoint)) return;
        var delay = TimeSpan.FromSeconds(1);
        var notBefore = DateTime.UtcNow;
        var answeringSince = (DateTime?)null;
        Process? starting = null;
        var startedAt = DateTime.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (await AnswersAsync(stoppingToken))
            {
                if (answeringSince is null)
                {
                    _workerPid = starting?.Id ?? AdoptedPid() ?? _workerPid;
                    // Written once the worker answers: a start that fails (e.g. on the data-directory lock) leaves the file alone.
                    if (starting is not null) File.WriteAllText(Path.Combine(DataDirectory, PidFile), starting.Id.ToString(CultureInfo.InvariantCulture));
                    logger.LogInformation(starting is null ? "Adopted the trainer worker on port {Port} (pid {Pid})" : "The trainer worker answers on port {Port} (pid {Pid})",
                        _options.LocalHttpPort, _workerPid?.ToString(CultureInfo.InvariantCulture) ?? "unknown");
                }
                answeringSince ??= DateTime.UtcNow;
                starting?.Dispose();
                starting = null;
                if (DateTime.UtcNow - answeringSince > StableAfter) delay = TimeSpan.FromSeconds(1);
            }
            else
            {
                if (answeringSince is not null)
                {
                    logger.LogWarning("The trainer worker stopped answering on port {Port}; starting one in {Delay} unless it answers again", _options.LocalHttpPort, delay);
                    notBefore = DateTime.UtcNow + delay;
                    delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, _options.MaxRestartDelaySeconds));
                }
                answeringSince = null;
                if (starting is { HasExited: true } || (starting is not null && DateTime.UtcNow - startedAt > StartTimeout))
                {
                    if (!starting.HasExited) starting.Kill();
                    logger.LogError("The trainer worker exited or did not start (exit code {Code}); starting it again in {Delay}; see {Log}",
                        starting.HasExited ? starting.ExitCode : -1, delay, Path.Combine(DataDirectory, LogFile));
                    starting.Dispose();
                    starting = null;
                    _workerPid = null;
                    notBefore = DateTime.UtcNow + delay;
                    delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, _options.MaxRestartDelaySeconds));
                }
                // A worker that is alive but slow to answer (a loaded machine) is waited for, not doubled.
                if (starting is null && DateTime.UtcNow >= notBefore && !lifetime.ApplicationStopping.IsCancellationRequested && !(_workerPid is { } pid && IsWorker(pid)))
                {
                    starting = Start();
                    startedAt = DateTime.UtcNow;
                    if (starting is null) notBefore = DateTime.UtcNow + TimeSpan.FromSeconds(_options.MaxRestartDelaySeconds);
                }
            }
            await Task.Delay(ProbeInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>SIGTERM to the worker this API started or adopted, then waits for it to exit (within the host's shutdown time).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_workerPid is not { } pid || !IsWorker(pid)) return;
        logger.LogInformation("Stopping the trainer worker (pid {Pid})", pid);
        if (SendSignal(pid, SigTerm) != 0) return;
        while (IsWorker(pid) && !cancellationToken.IsCancellationRequested)
            await Task.Delay(100, CancellationToken.None);
        if (!IsWorker(pid)) File.Delete(Path.Combine(DataDirectory, PidFile));
    }

    public override void Dispose()
    {
        _probe.Dispose();
        base.Dispose();
    }

    private async Task<bool> AnswersAsync(CancellationToken cancellation)
    {
        try
        {
            using var response = await _probe.GetAsync($"http://127.0.0.1:{_options.LocalHttpPort}/health/ready", cancellation);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private Process? Start()
    {
        var dll = TrainerExecutable.Find(_options.WorkerPath, out var searched);
        if (dll is null)
        {
            logger.LogError("No trainer worker to start: {File} is not at {Searched}; set Training:WorkerPath, or Training:Endpoint for a remote worker",
                TrainerExecutable.FileName, string.Join(", ", searched));
            return null;
        }
        Directory.CreateDirectory(DataDirectory);
        var log = Path.Combine(DataDirectory, LogFile);
        string[] arguments =
        [
            dll,
            $"--Trainer:DataDirectory={DataDirectory}",
            $"--Trainer:DataRoot={Path.GetFullPath(_options.DataRoot)}",
            $"--Trainer:GrpcPort={_options.LocalGrpcPort}",
            $"--Trainer:HttpPort={_options.LocalHttpPort}",
            "--Trainer:BindAddress=127.0.0.1",
        ];
        // exec keeps the worker's pid; its output goes to a file, not to a pipe that would break when the API dies.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$LOG\" 2>&1");
        start.ArgumentList.Add("dotnet");
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["LOG"] = log;
        var process = Process.Start(start)!;
        Starts++;
        logger.LogInformation("Started the trainer worker {Dll} (pid {Pid}, gRPC 127.0.0.1:{Port}, data {Data}, log {Log})",
            dll, process.Id, _options.LocalGrpcPort, DataDirectory, log);
        return process;
    }

    /// <summary>The pid a previous API wrote, when that process is still a trainer worker.</summary>
    private int? AdoptedPid()
    {
        var file = Path.Combine(DataDirectory, PidFile);
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && IsWorker(pid)
            ? pid
            : null;
    }

    /// <summary>Whether <paramref name="pid"/> is a live trainer worker (not a reused pid of something else).</summary>
    private static bool IsWorker(int pid)
    {
        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
            return commandLine.Contains(TrainerExecutable.FileName, StringComparison.Ordinal) && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
