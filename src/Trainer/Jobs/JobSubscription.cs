using System.Threading.Channels;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>One watcher's events of one job; disposing it stops the delivery.</summary>
public sealed class JobSubscription(ChannelReader<V1.JobEvent> events, Action unsubscribe) : IDisposable
{
    public ChannelReader<V1.JobEvent> Events { get; } = events;

    public void Dispose() => unsubscribe();
}
