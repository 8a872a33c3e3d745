using EmbeddingService.Training.Data;
using EmbeddingService.Training.Masking;
using EmbeddingService.Training.Runs;

namespace EmbeddingService.Training.Tests.Runs;

/// <summary>The synthetic batches with a NaN written into the global crops of one iteration (the test hook for non-finite losses).</summary>
internal sealed class PoisonedBatchSource(IRunBatchSource inner, long poisonedIteration) : IRunBatchSource
{
    public IReadOnlyDictionary<string, long> Counts => inner.Counts;

    public ITrainingBatches Open(long startIteration) => new Poisoned(inner.Open(startIteration), poisonedIteration);

    private sealed class Poisoned(ITrainingBatches inner, long poisonedIteration) : ITrainingBatches
    {
        public int BatchSize => inner.BatchSize;

        public long NextIteration => inner.NextIteration;

        public CollatedBatch Next(CancellationToken cancellationToken = default)
        {
            var iteration = inner.NextIteration;
            var batch = inner.Next(cancellationToken);
            if (iteration == poisonedIteration) batch.CollatedGlobalCrops[0, 0, 0, 0].fill_(float.NaN);
            return batch;
        }

        public void Dispose() => inner.Dispose();
    }
}
