using EmbeddingService.Training;
using EmbeddingService.Training.Data;
using EmbeddingService.Training.Masking;
using EmbeddingService.Training.Runs.Spec;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Runs;

/// <summary>
/// data.train "synthetic": batches of standard-normal crops of the spec's sizes and official iBOT masks, batch i drawn
/// from (seed, i) alone. No images to read, so a run's loop, checkpoints and exports can be exercised (and the step
/// timed, as bench-train does) anywhere.
/// </summary>
public sealed class SyntheticBatchSource(RunSpec spec) : IRunBatchSource
{
    private long _batches;

    public IReadOnlyDictionary<string, long> Counts => new Dictionary<string, long> { ["synthetic_batches"] = Interlocked.Read(ref _batches) };

    public ITrainingBatches Open(long startIteration) => new Batches(spec, startIteration, () => Interlocked.Increment(ref _batches));

    private sealed class Batches(RunSpec spec, long startIteration, Action made) : ITrainingBatches
    {
        public int BatchSize => spec.BatchSize;

        public long NextIteration { get; private set; } = startIteration;

        public CollatedBatch Next(CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var seed = DerivedSeeds.Derive(spec.Seed, NextIteration, DerivedSeeds.SyntheticData);
            var random = new Random((int)(seed & int.MaxValue));
            using var generator = new Generator(seed);
            var (b, crops) = (spec.BatchSize, spec.Crops);
            var collator = new BatchCollator(MaskingGenerator.ForGlobalCrops(crops.GlobalSize, spec.Model.PatchSize!.Value, random), random,
                spec.Masking.RatioMin, spec.Masking.RatioMax, spec.Masking.SampleProbability);
            var batch = new CollatedBatch(
                randn([2 * b, 3, crops.GlobalSize, crops.GlobalSize], generator: generator),
                randn([crops.LocalCropsNumber * b, 3, crops.LocalSize, crops.LocalSize], generator: generator),
                collator.CollateMasks(2 * b));
            NextIteration++;
            made();
            return batch;
        }

        public void Dispose()
        {
        }
    }
}
