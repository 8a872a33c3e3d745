using System.Threading.Channels;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// Fans a job's events out to its watchers (WatchJob streams). Each watcher has its own bounded queue that drops the
/// oldest event when the watcher falls behind, so a slow client never slows the run and always gets the newest
/// events, the final state change included.
/// </summary>
public sealed class JobEventHub
{
    /// <summary>Events a watcher may lag behind before the oldest are dropped (a tiny run makes hundreds of steps per second).</summary>
    public const int WatcherCapacity = 4096;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<Channel<V1.JobEvent>>> _watchers = [];

    /// <summary>Events of <paramref name="jobId"/> from now on, until the subscription is disposed.</summary>
    public JobSubscription Subscribe(string jobId)
    {
        var channel = Channel.CreateBounded<V1.JobEvent>(new BoundedChannelOptions(WatcherCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            if (!_watchers.TryGetValue(jobId, out var list)) _watchers[jobId] = list = [];
            list.Add(channel);
        }
        return new JobSubscription(channel.Reader, () => Unsubscribe(jobId, channel));
    }

    public void Publish(V1.JobEvent jobEvent)
    {
        lock (_gate)
        {
            if (!_watchers.TryGetValue(jobEvent.JobId, out var list)) return;
            foreach (var channel in list) channel.Writer.TryWrite(jobEvent);
        }
    }

    private void Unsubscribe(string jobId, Channel<V1.JobEvent> channel)
    {
        lock (_gate)
        {
            if (!_watchers.TryGetValue(jobId, out var list)) return;
            list.Remove(channel);
            if (list.Count == 0) _watchers.Remove(jobId);
        }
        channel.Writer.TryComplete();
    }
}
