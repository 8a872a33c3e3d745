using System.Threading.Channels;

namespace EmbeddingService.Trainer.Models;

/// <summary>
/// Wakes the WatchActiveModel streams when the activation changes. A wake-up carries nothing: the watcher reads the
/// store's active model then, so a burst of activations costs it one read and it always ends on the newest.
/// </summary>
public sealed class ActiveModelWatchers
{
    private readonly Lock _gate = new();
    private readonly List<Channel<bool>> _watchers = [];

    /// <summary>Wake-ups from now on, until the lease is disposed.</summary>
    public (ChannelReader<bool> WakeUps, IDisposable Lease) Subscribe()
    {
        var channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate) _watchers.Add(channel);
        return (channel.Reader, new Lease(() =>
        {
            lock (_gate) _watchers.Remove(channel);
            channel.Writer.TryComplete();
        }));
    }

    public void Changed()
    {
        lock (_gate)
            foreach (var channel in _watchers) channel.Writer.TryWrite(true);
    }

    private sealed class Lease(Action release) : IDisposable
    {
        public void Dispose() => release();
    }
}
