using System.Diagnostics.CodeAnalysis;

namespace EmbeddingService.Engine.Scheduling;

/// <summary>
/// Waiting images, one FIFO lane per request, served one image per lane in turn: a request of many images is
/// interleaved with the requests queued after it instead of running ahead of them. Not thread-safe.
/// </summary>
internal sealed class RoundRobinQueue
{
    private readonly Queue<Queue<PendingImage>> _lanes = new();

    public int Count { get; private set; }

    /// <summary>Adds one request's images as a lane behind the lanes already waiting.</summary>
    public void Enqueue(IEnumerable<PendingImage> request)
    {
        var lane = new Queue<PendingImage>(request);
        if (lane.Count == 0) return;
        _lanes.Enqueue(lane);
        Count += lane.Count;
    }

    /// <summary>The image <see cref="Dequeue"/> returns next.</summary>
    public bool TryPeek([MaybeNullWhen(false)] out PendingImage next)
    {
        next = null;
        return _lanes.TryPeek(out var lane) && lane.TryPeek(out next);
    }

    /// <summary>Takes the first lane's next image and moves that lane behind the others.</summary>
    public PendingImage Dequeue()
    {
        var lane = _lanes.Dequeue();
        var next = lane.Dequeue();
        if (lane.Count > 0) _lanes.Enqueue(lane);
        Count--;
        return next;
    }
}
