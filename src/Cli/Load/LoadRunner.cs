using System.Collections.Concurrent;
using System.Diagnostics;

namespace EmbeddingService.Cli.Load;

/// <summary>
/// Drives a client closed-loop (a fixed number of requests in flight) or open-loop (a fixed arrival rate,
/// latency counted from each request's scheduled start, so queueing shows), cycling through the images.
/// </summary>
public sealed class LoadRunner(ILoadClient client, IReadOnlyList<byte[]> images)
{
    /// <summary>The first embedding received for each image index.</summary>
    public ConcurrentDictionary<int, float[]> Embeddings { get; } = new();

    public async Task<IReadOnlyList<LoadResult>> ClosedLoopAsync(int concurrency, int? requests, TimeSpan duration, CancellationToken cancellationToken)
    {
        var results = new ConcurrentBag<LoadResult>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (true)
            {
                var n = Interlocked.Increment(ref next);
                if (requests is { } total ? n >= total : clock.Elapsed >= duration) return;
                var start = Stopwatch.GetTimestamp();
                results.Add(await SendAsync(n, start, cancellationToken));
            }
        });
        await Task.WhenAll(workers);
        return results.ToArray();
    }

    public async Task<IReadOnlyList<LoadResult>> OpenLoopAsync(double ratePerSecond, int? requests, TimeSpan duration, CancellationToken cancellationToken)
    {
        var pending = new List<Task<LoadResult>>();
        var interval = TimeSpan.FromSeconds(1 / ratePerSecond);
        var origin = Stopwatch.GetTimestamp();
        for (var n = 0; requests is { } total ? n < total : interval * n < duration; n++)
        {
            var scheduled = origin + (long)(interval.TotalSeconds * n * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduled);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
            pending.Add(SendAsync(n, scheduled, cancellationToken));
        }
        return await Task.WhenAll(pending);
    }

    private async Task<LoadResult> SendAsync(int n, long startTimestamp, CancellationToken cancellationToken)
    {
        var index = n % images.Count;
        try
        {
            var (error, embedding) = await client.EmbedAsync(index, images[index], cancellationToken);
            if (embedding is not null) Embeddings.TryAdd(index, embedding);
            return new LoadResult(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, error, 1);
        }
        catch (Exception e) when (e is HttpRequestException or Grpc.Core.RpcException or TaskCanceledException or IOException)
        {
            return new LoadResult(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, e.GetType().Name, 1);
        }
    }
}
