using EmbeddingService.Training.Masking;

namespace EmbeddingService.Training.Data;

/// <summary>
/// The batches a training run consumes: multi-crop views and iBOT masks, collated. Batch <c>i</c> is a pure function of
/// the run's seed and <c>i</c> (never of thread timing), so a run resumed at iteration <c>i</c> sees exactly the batches
/// an uninterrupted run would.
/// </summary>
public interface ITrainingBatches : IDisposable
{
    /// <summary>Images per batch.</summary>
    int BatchSize { get; }

    /// <summary>The iteration whose batch <see cref="Next"/> returns.</summary>
    long NextIteration { get; }

    /// <summary>The batch of <see cref="NextIteration"/>; the caller disposes it.</summary>
    CollatedBatch Next(CancellationToken cancellationToken = default);
}
