using EmbeddingService.Training.Data;

namespace EmbeddingService.Training.Runs;

/// <summary>Where a run's batches come from: an image folder through the multi-crop loader, or synthetic crops.</summary>
public interface IRunBatchSource
{
    /// <summary>The batch stream from <paramref name="startIteration"/> on: batch i is a function of (seed, i) only.</summary>
    ITrainingBatches Open(long startIteration);

    /// <summary>What the run's summary reports about the data so far (images found, decoded, skipped, classes).</summary>
    IReadOnlyDictionary<string, long> Counts { get; }
}
