using System.Diagnostics.Metrics;

namespace EmbeddingService.Engine.Scheduling;

/// <summary>The scheduler's instruments, on the "EmbeddingService" meter.</summary>
public sealed class SchedulerMetrics : IDisposable
{
    public const string MeterName = "EmbeddingService";

    private readonly Meter _meter;

    public SchedulerMetrics(Func<int> queueDepth)
    {
        _meter = new Meter(MeterName);
        _meter.CreateObservableGauge("embedding.queue.depth", queueDepth, "{image}", "Images waiting for a batch");
        BatchImages = _meter.CreateHistogram<int>("embedding.batch.images", "{image}", "Images per executed batch");
        BatchTokens = _meter.CreateHistogram<int>("embedding.batch.tokens", "{token}", "Tokens per executed batch");
        QueueTime = _meter.CreateHistogram<double>("embedding.queue.time", "ms", "Time from submission to the start of the image's batch");
        InferenceTime = _meter.CreateHistogram<double>("embedding.inference.time", "ms", "Time of one batch's forward and pooling");
        Computed = _meter.CreateCounter<long>("embedding.images.computed", "{image}", "Images run through the model");
        Dropped = _meter.CreateCounter<long>("embedding.images.dropped", "{image}", "Images removed before compute (reason: deadline, cancelled)");
    }

    public Histogram<int> BatchImages { get; }
    public Histogram<int> BatchTokens { get; }
    public Histogram<double> QueueTime { get; }
    public Histogram<double> InferenceTime { get; }
    public Counter<long> Computed { get; }
    public Counter<long> Dropped { get; }

    public void Dispose() => _meter.Dispose();
}
