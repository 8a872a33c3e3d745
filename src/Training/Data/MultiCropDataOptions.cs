using EmbeddingService.Training.Augmentation;

namespace EmbeddingService.Training.Data;

/// <summary>
/// How <see cref="MultiCropBatches"/> turns a dataset into batches: the augmentation, the iBOT masking of the official
/// train.py (mask_sample_probability 0.5, mask_ratio_min_max (0.1, 0.5), block masks over the global crops' patch grid)
/// and the loader's parallelism, which never changes a batch.
/// </summary>
public sealed record MultiCropDataOptions
{
    /// <summary>Images per batch (each gives 2 global and N local crops).</summary>
    public required int BatchSize { get; init; }

    /// <summary>Seeds the sample order, every augmentation and every mask.</summary>
    public long Seed { get; init; }

    public DinoAugmentationOptions Augmentation { get; init; } = new();

    /// <summary>The backbone's patch size: the mask grid is GlobalCropsSize / PatchSize on each side.</summary>
    public int PatchSize { get; init; } = 14;

    /// <summary>Share of the global crops of a batch that get a mask (the official mask_sample_probability).</summary>
    public double MaskSampleProbability { get; init; } = 0.5;

    public double MaskRatioMin { get; init; } = 0.1;

    public double MaskRatioMax { get; init; } = 0.5;

    /// <summary>Threads that decode and augment.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Batches built ahead of the one the run consumes.</summary>
    public int PrefetchBatches { get; init; } = 2;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw Invalid(nameof(BatchSize), BatchSize, "must be at least 1");
        if (Augmentation is null) throw Invalid(nameof(Augmentation), null, "must be set");
        Augmentation.Validate();
        if (Augmentation.LocalCropsNumber < 1)
            throw Invalid($"{nameof(Augmentation)}.{nameof(DinoAugmentationOptions.LocalCropsNumber)}", Augmentation.LocalCropsNumber,
                "must be at least 1 (the official collate stacks the local crops)");
        if (PatchSize < 1) throw Invalid(nameof(PatchSize), PatchSize, "must be at least 1");
        if (Augmentation.GlobalCropsSize < PatchSize)
            throw Invalid(nameof(PatchSize), PatchSize, $"must not exceed the global crop size {Augmentation.GlobalCropsSize}");
        if (MaskSampleProbability is not (>= 0 and <= 1)) throw Invalid(nameof(MaskSampleProbability), MaskSampleProbability, "must be in [0, 1]");
        if (!(MaskRatioMin >= 0 && MaskRatioMin <= MaskRatioMax && MaskRatioMax <= 1))
            throw Invalid(nameof(MaskRatioMin), (MaskRatioMin, MaskRatioMax), "and MaskRatioMax must satisfy 0 <= min <= max <= 1");
        if (Workers < 1) throw Invalid(nameof(Workers), Workers, "must be at least 1");
        if (PrefetchBatches < 1) throw Invalid(nameof(PrefetchBatches), PrefetchBatches, "must be at least 1");
    }

    private static ArgumentException Invalid(string name, object? value, string rule) =>
        new($"MultiCropDataOptions.{name} {rule}, got {value}", name);
}
