using EmbeddingService.Training.Augmentation;
using EmbeddingService.Training.Data;
using EmbeddingService.Training.Runs.Spec;

namespace EmbeddingService.Training.Runs;

/// <summary>
/// data.train as a folder of images: scanned once (a missing or empty folder fails here, before any model is built),
/// then read through the multi-crop loader from whatever iteration the run starts at.
/// </summary>
public sealed class ImageFolderBatchSource : IRunBatchSource
{
    private readonly ImageFolderDataset _dataset;
    private readonly MultiCropDataOptions _options;
    private MultiCropBatches? _latest;

    public ImageFolderBatchSource(RunSpec spec)
    {
        _dataset = ImageFolderDataset.Scan(spec.Data.Train!);
        _options = OptionsFor(spec);
        _options.Validate();
    }

    public IReadOnlyDictionary<string, long> Counts
    {
        get
        {
            var counts = new Dictionary<string, long>
            {
                ["images_found"] = _dataset.Images.Count,
                ["classes"] = _dataset.ClassNames.Count,
                ["unrecognised_files"] = _dataset.UnrecognisedFiles,
            };
            if (_latest?.Counts is { } loaded)
            {
                counts["images_decoded"] = loaded.ImagesDecoded;
                counts["samples_replaced"] = loaded.SamplesReplaced;
                counts["unreadable_files"] = loaded.UnreadableFiles;
            }
            return counts;
        }
    }

    public ITrainingBatches Open(long startIteration) => _latest = new MultiCropBatches(_dataset, _options, startIteration);

    /// <summary>The loader's options from the spec's batch, seed, crops, masking and execution sections.</summary>
    public static MultiCropDataOptions OptionsFor(RunSpec spec) => new()
    {
        BatchSize = spec.BatchSize,
        Seed = spec.Seed,
        PatchSize = spec.Model.PatchSize!.Value,
        Augmentation = new DinoAugmentationOptions
        {
            GlobalCropsSize = spec.Crops.GlobalSize,
            LocalCropsSize = spec.Crops.LocalSize,
            LocalCropsNumber = spec.Crops.LocalCropsNumber,
            GlobalCropsScale = (spec.Crops.GlobalCropsScale[0], spec.Crops.GlobalCropsScale[1]),
            LocalCropsScale = (spec.Crops.LocalCropsScale[0], spec.Crops.LocalCropsScale[1]),
        },
        MaskSampleProbability = spec.Masking.SampleProbability,
        MaskRatioMin = spec.Masking.RatioMin,
        MaskRatioMax = spec.Masking.RatioMax,
        Workers = spec.Execution.DataWorkers,
        PrefetchBatches = spec.Execution.PrefetchBatches,
    };
}
