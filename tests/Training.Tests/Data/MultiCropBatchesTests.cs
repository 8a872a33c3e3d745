using EmbeddingService.Training;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Training.Augmentation;
using EmbeddingService.Training.Data;
using EmbeddingService.Training.Masking;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Data;

public sealed class MultiCropBatchesTests
{
    private static readonly DinoAugmentationOptions SmallCrops = new() { GlobalCropsSize = 56, LocalCropsSize = 28, LocalCropsNumber = 3 };

    // No colour change, so every crop of a one-level image keeps that level and names its image.
    private static readonly DinoAugmentationOptions Plain = SmallCrops with
    {
        ColorJitterProbability = 0, GrayscaleProbability = 0, Global1BlurProbability = 0, Global2BlurProbability = 0,
        LocalBlurProbability = 0, Global2SolarizeProbability = 0,
    };

    private static MultiCropDataOptions Options(int seed = 7, int workers = 2, int prefetch = 2, int batchSize = 4, DinoAugmentationOptions? augmentation = null) =>
        new() { BatchSize = batchSize, Seed = seed, Augmentation = augmentation ?? SmallCrops, Workers = workers, PrefetchBatches = prefetch };

    [Fact]
    public void Batches_have_the_collated_shapes_and_masks()
    {
        using var folder = PatternFolder(5);
        using var batches = new MultiCropBatches(ImageFolderDataset.Scan(folder.Root), Options());
        using var batch = batches.Next();

        Assert.Equal([8L, 3, 56, 56], batch.CollatedGlobalCrops.shape);
        Assert.Equal([12L, 3, 28, 28], batch.CollatedLocalCrops.shape);
        Assert.Equal([8L, 16], batch.Masks.CollatedMasks.shape);
        Assert.Equal(ScalarType.Float32, batch.CollatedGlobalCrops.dtype);
        // int(8 · 0.5) crops are given a mask target, as collate_data_and_cast does; masks may mask fewer patches than targeted.
        Assert.Equal(new BatchCollator(MaskingGenerator.ForGlobalCrops(56, 14, new Random(0)), new Random(0)).Upperbound(8), batch.Masks.Upperbound);
        Assert.True(batch.Masks.CollatedMasks.any(1).sum().item<long>() <= 4);
        Assert.Equal(1L, batches.NextIteration);
    }

    [Fact]
    public void A_batch_is_the_official_collate_of_its_samples_augmented_with_their_own_seeds()
    {
        using var folder = PatternFolder(5);
        var data = ImageFolderDataset.Scan(folder.Root);
        var options = Options(seed: 11, batchSize: 3);
        var batches = Take(data, options, 0, 3);

        // Batch 2 is positions 6..8: epoch 1 (5 images), offsets 1..3 of its permutation.
        var order = new SampleOrder(data.Images.Count, options.Seed);
        var augmentation = new DataAugmentationDino(options.Augmentation);
        var decoder = new ImageDecoder();
        var samples = Enumerable.Range(6, 3).Select(position => augmentation.Apply(
            decoder.Decode(File.ReadAllBytes(data.PathOf(data.Images[order.ImageAt(position)]))),
            new SeededAugmentationRandom(DerivedSeeds.DeriveInt(options.Seed, position, DerivedSeeds.Augmentation)))).ToArray();
        var random = new Random(DerivedSeeds.DeriveInt(options.Seed, 2, DerivedSeeds.Masks));
        var collator = new BatchCollator(MaskingGenerator.ForGlobalCrops(56, 14, random), random);
        try
        {
            using var expected = collator.Collate(samples.Select(s => s.GlobalCrops).ToArray(), samples.Select(s => s.LocalCrops).ToArray());
            AssertSame(expected, batches[2], "batch 2");
            Assert.Equal(order.Permutation(1), Enumerable.Range(5, 5).Select(p => order.ImageAt(p)));
        }
        finally
        {
            foreach (var sample in samples) sample.Dispose();
            DisposeAll(batches);
        }
    }

    [Fact]
    public void The_same_seed_gives_identical_batches_and_another_seed_other_ones()
    {
        using var folder = PatternFolder(7);
        var data = ImageFolderDataset.Scan(folder.Root);

        var first = Take(data, Options(seed: 3), 0, 4);
        var second = Take(data, Options(seed: 3), 0, 4);
        var other = Take(data, Options(seed: 4), 0, 4);
        try
        {
            for (var i = 0; i < 4; i++)
            {
                AssertSame(first[i], second[i], $"batch {i}");
                Assert.False(Same(first[i].CollatedGlobalCrops, other[i].CollatedGlobalCrops), $"batch {i} of another seed");
            }
        }
        finally
        {
            DisposeAll(first, second, other);
        }
    }

    [Fact]
    public void Starting_at_iteration_k_gives_the_kth_batch_of_a_run_from_zero()
    {
        using var folder = PatternFolder(5);
        var data = ImageFolderDataset.Scan(folder.Root);

        var fromZero = Take(data, Options(), 0, 6);
        var resumed = Take(data, Options(), 4, 2);
        try
        {
            AssertSame(fromZero[4], resumed[0], "batch 4");
            AssertSame(fromZero[5], resumed[1], "batch 5");
        }
        finally
        {
            DisposeAll(fromZero, resumed);
        }
    }

    [Fact]
    public void Worker_count_and_prefetch_depth_do_not_change_any_batch()
    {
        using var folder = PatternFolder(6);
        folder.Corrupt("c/bad.png");
        var data = ImageFolderDataset.Scan(folder.Root);

        var one = Take(data, Options(workers: 1, prefetch: 1), 0, 5);
        var many = Take(data, Options(workers: 4, prefetch: 3), 0, 5);
        try
        {
            for (var i = 0; i < one.Length; i++)
                AssertSame(one[i], many[i], $"batch {i}");
        }
        finally
        {
            DisposeAll(one, many);
        }
    }

    [Fact]
    public void Each_epoch_visits_every_image_once_across_batch_boundaries()
    {
        using var folder = new ImageFolder();
        var levels = new byte[] { 10, 40, 70, 100, 130, 160, 190 };
        foreach (var level in levels) folder.Constant($"{level}.png", level);
        var data = ImageFolderDataset.Scan(folder.Root);

        // 7 images, batches of 3: epochs end inside batches.
        var batches = Take(data, Options(augmentation: Plain, batchSize: 3), 0, 7);
        try
        {
            var seen = batches.SelectMany(FirstGlobalCropLevels).ToArray();
            Assert.Equal(21, seen.Length);
            for (var epoch = 0; epoch < 3; epoch++)
                Assert.Equal(levels, seen.Skip(epoch * 7).Take(7).Order());
            Assert.NotEqual(seen.Take(7), seen.Skip(7).Take(7)); // each epoch its own order
        }
        finally
        {
            DisposeAll(batches);
        }
    }

    [Fact]
    public void Unreadable_files_are_replaced_by_the_next_image_and_counted()
    {
        using var folder = new ImageFolder();
        var levels = new byte[] { 20, 60, 100, 140, 180, 220 };
        foreach (var level in levels) folder.Constant($"ok/{level}.png", level);
        folder.Corrupt("bad/one.png");
        folder.Corrupt("bad/two.jpg");
        var data = ImageFolderDataset.Scan(folder.Root);
        Assert.Equal(8, data.Images.Count);

        using var loader = new MultiCropBatches(data, Options(augmentation: Plain, batchSize: 4, workers: 3));
        var batches = Enumerable.Range(0, 4).Select(_ => loader.Next()).ToArray();
        try
        {
            var seen = batches.SelectMany(FirstGlobalCropLevels).ToArray();
            Assert.All(seen, level => Assert.Contains(level, levels));
            for (var epoch = 0; epoch < 2; epoch++)
            {
                var epochLevels = seen.Skip(epoch * 8).Take(8).ToArray();
                Assert.Equal(levels, epochLevels.Distinct().Order()); // every readable image, two of them twice
            }
            var counts = loader.Counts;
            Assert.Equal(2, counts.UnreadableFiles);
            Assert.Equal(2, counts.UnreadableExamples.Count);
            Assert.StartsWith("bad/one.png (", counts.UnreadableExamples[0]);
            Assert.StartsWith("bad/two.jpg (", counts.UnreadableExamples[1]);
            Assert.True(counts.SamplesReplaced >= 4, $"{counts.SamplesReplaced} replaced in two epochs");
            Assert.True(counts.ImagesDecoded >= 16, $"{counts.ImagesDecoded} decoded");
        }
        finally
        {
            DisposeAll(batches);
        }
    }

    [Fact]
    public void A_dataset_where_nothing_decodes_fails_on_the_first_batch()
    {
        using var folder = new ImageFolder();
        folder.Corrupt("a.png");
        folder.Corrupt("b/c.png");
        using var loader = new MultiCropBatches(ImageFolderDataset.Scan(folder.Root), Options());

        var e = Assert.Throws<DatasetException>(() => loader.Next());

        Assert.Equal("dataset_unreadable", e.Reason);
        Assert.Contains("none of its 2 image files decodes", e.Message);
        Assert.Throws<DatasetException>(() => loader.Next()); // and keeps failing
    }

    [Fact]
    public void Dispose_stops_the_workers_and_later_calls_are_refused()
    {
        using var folder = PatternFolder(4);
        var loader = new MultiCropBatches(ImageFolderDataset.Scan(folder.Root), Options(workers: 3, prefetch: 3));
        loader.Next().Dispose();

        loader.Dispose();
        loader.Dispose();

        Assert.Throws<ObjectDisposedException>(() => loader.Next());
    }

    [Fact]
    public void Bad_options_name_the_setting()
    {
        using var folder = PatternFolder(2);
        var data = ImageFolderDataset.Scan(folder.Root);

        Assert.Equal("BatchSize", Assert.Throws<ArgumentException>(() => new MultiCropBatches(data, Options(batchSize: 0))).ParamName);
        Assert.Equal("Workers", Assert.Throws<ArgumentException>(() => new MultiCropBatches(data, Options(workers: 0))).ParamName);
        Assert.Equal("Augmentation.LocalCropsNumber", Assert.Throws<ArgumentException>(() =>
            new MultiCropBatches(data, Options(augmentation: SmallCrops with { LocalCropsNumber = 0 }))).ParamName);
    }

    private static ImageFolder PatternFolder(int count)
    {
        var folder = new ImageFolder();
        for (var i = 0; i < count; i++) folder.Pattern($"{(char)('a' + i % 3)}/{i}.png", i, 24 + 3 * i, 20 + 5 * i);
        return folder;
    }

    private static CollatedBatch[] Take(ImageFolderDataset data, MultiCropDataOptions options, long start, int count)
    {
        using var loader = new MultiCropBatches(data, options, start);
        return Enumerable.Range(0, count).Select(_ => loader.Next()).ToArray();
    }

    /// <summary>The gray level of each image's first global crop, read back from the normalised red plane.</summary>
    private static IEnumerable<byte> FirstGlobalCropLevels(CollatedBatch batch)
    {
        var images = batch.CollatedGlobalCrops.shape[0] / 2;
        var mean = ImageNetNormalization.Mean[0];
        var std = ImageNetNormalization.Std[0];
        for (var s = 0; s < images; s++)
        {
            using var plane = batch.CollatedGlobalCrops[s, 0];
            Assert.Equal(plane.min().item<float>(), plane.max().item<float>());
            yield return (byte)Math.Round((plane[0, 0].item<float>() * std + mean) * 255);
        }
    }

    private static void AssertSame(CollatedBatch expected, CollatedBatch actual, string what)
    {
        Assert.True(Same(expected.CollatedGlobalCrops, actual.CollatedGlobalCrops), $"{what}: global crops");
        Assert.True(Same(expected.CollatedLocalCrops, actual.CollatedLocalCrops), $"{what}: local crops");
        Assert.True(Same(expected.Masks.CollatedMasks, actual.Masks.CollatedMasks), $"{what}: masks");
        Assert.True(Same(expected.Masks.MasksWeight, actual.Masks.MasksWeight), $"{what}: mask weights");
        Assert.Equal(expected.Masks.Upperbound, actual.Masks.Upperbound);
    }

    private static bool Same(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
    }

    private static void DisposeAll(params CollatedBatch[][] runs)
    {
        foreach (var batch in runs.SelectMany(b => b)) batch.Dispose();
    }
}
