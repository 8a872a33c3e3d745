using System.Text.Json.Nodes;

namespace EmbeddingService.Cli.Load;

/// <summary>Samples another process's resident memory once a second from /proc/PID/status.</summary>
public sealed class ServerMemorySampler : IDisposable
{
    private readonly string _status;
    private readonly List<double> _samples = [];
    private readonly Timer _timer;

    public ServerMemorySampler(int pid)
    {
        _status = $"/proc/{pid}/status";
        if (!File.Exists(_status)) throw new ArgumentException($"--server-pid: no process {pid}");
        Sample();
        _timer = new Timer(_ => Sample(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public JsonObject Report()
    {
        Sample();
        lock (_samples)
        {
            var tenth = _samples.Skip(_samples.Count / 10).ToArray();
            return new JsonObject
            {
                ["start"] = _samples[0],
                ["after_first_tenth"] = tenth.Length > 0 ? tenth[0] : null,
                ["end"] = _samples[^1],
                ["max"] = _samples.Max(),
                ["samples"] = _samples.Count,
            };
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        try
        {
            var line = File.ReadLines(_status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            if (line is null) return;
            var mb = Math.Round(long.Parse(line[6..].Trim().Split(' ')[0]) / 1024.0, 1);
            lock (_samples) _samples.Add(mb);
        }
        catch (IOException)
        {
            // The server exited; keep what was sampled.
        }
    }
}
