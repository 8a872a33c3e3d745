using EmbeddingService.Retrieval.Indexing;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>Tuning of the embedded store; the defaults suit collections of up to a few million points.</summary>
public sealed record EmbeddedStoreOptions
{
    /// <summary>A log is rewritten when the entries it holds for overwritten or deleted points exceed this many times the live points…</summary>
    public double CompactWhenDeadExceedsLiveBy { get; init; } = 1.0;

    /// <summary>…and number at least this many (so small collections are not rewritten on every change).</summary>
    public int CompactionMinimumDead { get; init; } = 50_000;

    /// <summary>Points per operation when a log is rewritten (frames still hold about <see cref="LogFrame.TargetBodyBytes"/> at most).</summary>
    public int CompactionPointsPerFrame { get; init; } = 1024;

    public HnswParameters Hnsw { get; init; } = new();

    /// <summary>An HNSW collection saves its graph (<c>hnsw.graph</c>) once this many points changed since the last save…</summary>
    public long GraphSaveAfterChanges { get; init; } = 100_000;

    /// <summary>…or once writes pause this long with any change unsaved (and always at a graceful close).</summary>
    public TimeSpan GraphSaveWhenIdleFor { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether opening the store returns once its collections are found, loading them one by one in the background
    /// (each answers <see cref="RetrievalError.Unavailable"/> with a retry delay until loaded), rather than after loading all.
    /// </summary>
    public bool LoadCollectionsInBackground { get; init; }

    /// <summary>Threads one exact search (single or batch) is split across; 0 = one per core.</summary>
    public int SearchThreads { get; init; }

    public int EffectiveSearchThreads => SearchThreads > 0 ? SearchThreads : Environment.ProcessorCount;

    /// <summary>Points a collection of <see cref="IndexKind.Auto"/> holds before it builds and searches its HNSW graph.</summary>
    public int AutoApproximateThreshold { get; init; } = CollectionSettings.AutoApproximateThreshold;
}
