using System.Text.Json;
using EmbeddingService.Training.Masking;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Masking;

public sealed class BatchCollatorTests
{
    private const string Set = "dinov2-train-parity";

    public static TheoryData<string> Settings => ["grid16_batch8", "grid4_batch2"];

    [Theory]
    [MemberData(nameof(Settings))]
    public void Every_batch_satisfies_the_deterministic_facts_of_the_official_collate(string name)
    {
        var setting = TrainFixtures.Manifest(Set, "masking").GetProperty("settings").GetProperty(name);
        var collator = Collator(setting, seed: 5);
        var b = setting.GetProperty("crops_per_batch").GetInt32();
        var n = collator.NTokens;
        var nSamplesMasked = b / 2;
        var slotLimits = setting.GetProperty("masked_slot_target_ranges").GetProperty("int_N_times_probs")
            .EnumerateArray().Select(r => r[1].GetInt32()).ToArray();
        var upperbound = setting.GetProperty("upperbound_values")[0].GetInt32();
        Assert.Equal(nSamplesMasked, slotLimits.Length);
        Assert.Equal(upperbound, slotLimits.Sum());
        Assert.Equal(upperbound, collator.Upperbound(b));

        for (var draw = 0; draw < 300; draw++)
        {
            using var scope = NewDisposeScope();
            using var batch = collator.CollateMasks(b);
            Assert.Equal([b, n], batch.CollatedMasks.shape);
            var masks = batch.CollatedMasks.data<bool>().ToArray();
            var counts = Enumerable.Range(0, b).Select(crop => masks.Skip(crop * n).Take(n).Count(m => m)).ToArray();

            // Crops without a target get empty masks; the masked slots never overshoot their targets, so the
            // j-th smallest count of the masked slots stays ≤ int(N·probs[j+1]).
            var sorted = counts.Order().ToArray();
            Assert.All(sorted[..(b - nSamplesMasked)], count => Assert.Equal(0, count));
            for (var j = 0; j < nSamplesMasked; j++) Assert.InRange(sorted[b - nSamplesMasked + j], 0, slotLimits[j]);

            var indices = Enumerable.Range(0, b * n).Where(i => masks[i]).Select(i => (long)i).ToArray();
            Assert.Equal(ScalarType.Int64, batch.MaskIndicesList.dtype);
            Assert.Equal(indices, batch.MaskIndicesList.data<long>().ToArray());
            Assert.Equal(ScalarType.Float32, batch.MasksWeight.dtype);
            Assert.Equal(indices.Select(i => 1f / counts[i / n]), batch.MasksWeight.data<float>().ToArray());
            Assert.Equal([1L], batch.NMaskedPatches.shape);
            Assert.Equal(indices.Length, batch.NMaskedPatches.item<long>());
            Assert.Equal(upperbound, batch.Upperbound);
            Assert.True(indices.Length <= upperbound);
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_batches()
    {
        var setting = TrainFixtures.Manifest(Set, "masking").GetProperty("settings").GetProperty("grid16_batch8");
        var first = Collator(setting, seed: 9);
        var second = Collator(setting, seed: 9);
        for (var draw = 0; draw < 5; draw++)
        {
            using var a = first.CollateMasks(16);
            using var b = second.CollateMasks(16);
            Assert.True(a.CollatedMasks.eq(b.CollatedMasks).all().item<bool>());
        }
    }

    [Fact]
    public void Crops_are_stacked_crop_major()
    {
        using var scope = NewDisposeScope();
        const int images = 3;
        // Crop i of image s is filled with 10·s + i, so each row says where it came from.
        IReadOnlyList<IReadOnlyList<Tensor>> Crops(int crops, int size) =>
            [.. Enumerable.Range(0, images).Select(s => (IReadOnlyList<Tensor>)[.. Enumerable.Range(0, crops).Select(i => full(3, size, size, 10f * s + i))])];

        var random = new Random(1);
        var collator = new BatchCollator(MaskingGenerator.ForGlobalCrops(56, 14, random), random);
        using var batch = collator.Collate(Crops(2, 56), Crops(4, 28));

        Assert.Equal([2 * images, 3, 56, 56], batch.CollatedGlobalCrops.shape);
        Assert.Equal([4 * images, 3, 28, 28], batch.CollatedLocalCrops.shape);
        Assert.Equal([2 * images, 16], batch.Masks.CollatedMasks.shape);
        float[] Expected(int crops) => [.. Enumerable.Range(0, crops).SelectMany(i => Enumerable.Range(0, images).Select(s => 10f * s + i))];
        Assert.Equal(Expected(2), batch.CollatedGlobalCrops[.., 0, 0, 0].data<float>().ToArray());
        Assert.Equal(Expected(4), batch.CollatedLocalCrops[.., 0, 0, 0].data<float>().ToArray());
    }

    [Theory]
    [InlineData("ibot_loss", "collate")]
    [InlineData("train_step", "config.collate")]
    public void The_loss_fixtures_masks_give_their_indices_weights_count_and_upperbound(string caseName, string collatePath)
    {
        using var scope = NewDisposeScope();
        var collate = collatePath.Split('.').Aggregate(TrainFixtures.Manifest(Set, caseName), (e, key) => e.GetProperty(key));
        var masks = TrainFixtures.Npy(Set, $"{caseName}/masks.npy");
        var (b, n) = ((int)masks.shape[0], (int)masks.shape[1]);
        var grid = (int)Math.Sqrt(n);
        Assert.Equal(n, grid * grid);
        var random = new Random(0);
        var collator = new BatchCollator(new MaskingGenerator(grid, grid, 0.5 * n, random), random);

        using var batch = MaskBatch.FromMasks(masks, collator.Upperbound(b));

        Assert.Equal(collate.GetProperty("upperbound").GetInt32(), batch.Upperbound);
        Assert.Equal(collate.GetProperty("per_crop_masked_counts").EnumerateArray().Select(c => c.GetInt64()),
            masks.sum(-1).data<long>().ToArray());
        AssertEqual(TrainFixtures.Npy(Set, $"{caseName}/mask_indices_list.npy"), batch.MaskIndicesList);
        AssertEqual(TrainFixtures.Npy(Set, $"{caseName}/masks_weight.npy"), batch.MasksWeight);
        AssertEqual(TrainFixtures.Npy(Set, $"{caseName}/n_masked_patches.npy"), batch.NMaskedPatches);
    }

    private static void AssertEqual(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.eq(actual).all().item<bool>(), $"{expected.ToString(TorchSharp.TensorStringStyle.Numpy)} vs {actual.ToString(TorchSharp.TensorStringStyle.Numpy)}");
    }

    internal static BatchCollator Collator(JsonElement setting, int seed)
    {
        var grid = setting.GetProperty("grid");
        var random = new Random(seed);
        var generator = new MaskingGenerator(grid[0].GetInt32(), grid[1].GetInt32(), setting.GetProperty("max_num_patches").GetDouble(), random);
        return new BatchCollator(generator, random);
    }
}
