using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Model;

/// <summary>
/// The student's training forward: global and local crops in one packed, differentiable forward, and stochastic depth
/// on a batch subset (the official drop_add_residual_stochastic_depth_list) or with per-sample DropPath masks.
/// </summary>
public sealed class TrainingForwardTests
{
    public TrainingForwardTests() => TorchRuntime.EnsureInitialized();

    private static readonly VitConfig Tiny = new() { EmbedDim = 24, Depth = 2, NumHeads = 2, ImgSize = 56, NumRegisters = 1 };

    [Fact]
    public void Packed_global_and_local_crops_equal_separate_forwards_in_outputs_and_gradients()
    {
        using var scope = NewDisposeScope();
        using var model = RandomModel(Tiny, seed: 3);
        var global = randn([4, 3, 56, 56], generator: new Generator(4));
        var local = randn([6, 3, 28, 28], generator: new Generator(5));
        var masks = rand([4, 16], generator: new Generator(6)).lt(0.4);
        var weights = randn([24], generator: new Generator(7));

        var packed = model.ForwardFeaturesList([(global, masks), (local, null)]);
        Loss(packed[0], packed[1], weights).backward();
        var packedGrads = Gradients(model);

        var separateGlobal = model.ForwardFeatures(global, masks);
        var separateLocal = model.ForwardFeatures(local);
        Loss(separateGlobal, separateLocal, weights).backward();
        var separateGrads = Gradients(model);

        TensorAssert.Close(separateGlobal.Cls.detach(), packed[0].Cls.detach(), 1e-5, "global cls");
        TensorAssert.Close(separateGlobal.Patches.detach(), packed[0].Patches.detach(), 1e-5, "global patches");
        TensorAssert.Close(separateLocal.Cls.detach(), packed[1].Cls.detach(), 1e-5, "local cls");
        TensorAssert.Close(separateLocal.Registers.detach(), packed[1].Registers.detach(), 1e-5, "local registers");
        foreach (var (name, grad) in separateGrads)
            TensorAssert.Close(grad, packedGrads[name], 1e-5, $"grad of {name}");
    }

    [Fact]
    public void Batch_subset_runs_each_branch_on_the_kept_sequences_and_scales_it_by_batch_over_kept()
    {
        using var scope = NewDisposeScope();
        var config = Tiny with { Depth = 1 };
        using var model = RandomModel(config, seed: 11);
        var global = randn([4, 3, 56, 56], generator: new Generator(12));
        var local = randn([6, 3, 28, 28], generator: new Generator(13));
        // rate 0.5: ⌊4·0.5⌋ = 2 of 4 global and ⌊6·0.5⌋ = 3 of 6 local sequences run each branch, scaled by 2.
        long[] keptGlobal = [2, 0], keptLocal = [5, 1, 3];
        var sampler = new ScriptedSampler(subsets: [keptGlobal, keptLocal, keptGlobal, keptLocal]);
        model.ConfigureStochasticDepth(new StochasticDepth(0.5, Uniform: true), sampler);
        var dropped = model.ForwardFeaturesList([(global, null), (local, null)]);

        using var scaled = CopyWithGammasTimes(model, config, 2.0);
        using var skipped = CopyWithGammasTimes(model, config, 0.0);
        var full = scaled.ForwardFeaturesList([(global, null), (local, null)]);
        var identity = skipped.ForwardFeaturesList([(global, null), (local, null)]);
        for (var batch = 0; batch < 2; batch++)
        {
            var kept = batch == 0 ? keptGlobal : keptLocal;
            for (var row = 0; row < dropped[batch].Prenorm.shape[0]; row++)
            {
                var expected = kept.Contains(row) ? full[batch].Prenorm[row] : identity[batch].Prenorm[row];
                TensorAssert.Close(expected.detach(), dropped[batch].Prenorm[row].detach(), 1e-5, $"batch {batch} row {row}");
            }
        }
        Assert.Equal(0, sampler.Remaining);
    }

    [Fact]
    public void Drop_path_masks_zero_or_rescale_each_branch_per_sequence()
    {
        using var scope = NewDisposeScope();
        var config = Tiny with { Depth = 1 };
        using var model = RandomModel(config, seed: 21);
        var images = randn([4, 3, 56, 56], generator: new Generator(22));
        float[] keep = [1, 0, 1, 0];
        var sampler = new ScriptedSampler(masks: [keep, keep]);
        model.ConfigureStochasticDepth(new StochasticDepth(0.2, Uniform: true, StochasticDepthMode.PerSampleMask), sampler);
        var dropped = model.ForwardFeaturesList([(images, null)])[0];

        using var scaled = CopyWithGammasTimes(model, config, 1 / 0.8);
        using var skipped = CopyWithGammasTimes(model, config, 0.0);
        var full = scaled.ForwardFeatures(images);
        var identity = skipped.ForwardFeatures(images);
        for (var row = 0; row < 4; row++)
            TensorAssert.Close((keep[row] == 1 ? full : identity).Prenorm[row].detach(), dropped.Prenorm[row].detach(), 1e-5, $"row {row}");
    }

    [Fact]
    public void Stochastic_depth_is_off_in_eval_mode_and_without_autograd()
    {
        using var scope = NewDisposeScope();
        using var model = RandomModel(Tiny, seed: 31);
        var images = randn([3, 3, 56, 56], generator: new Generator(32));
        var plain = model.ForwardFeatures(images).Prenorm.detach();
        model.ConfigureStochasticDepth(new StochasticDepth(0.4), new ScriptedSampler());
        using (no_grad()) TensorAssert.Close(plain, model.ForwardFeatures(images).Prenorm, 1e-5, "no_grad forward");
        model.eval();
        TensorAssert.Close(plain, model.ForwardFeatures(images).Prenorm.detach(), 1e-5, "eval forward");
    }

    [Fact]
    public void Random_subsets_keep_every_sequence_equally_often_so_the_scaled_branch_is_unbiased()
    {
        using var scope = NewDisposeScope();
        var sampler = new RandomStochasticDepthSampler(new Generator(41));
        const int Draws = 4000, Count = 8, Keep = 4;
        var kept = new int[Count];
        for (var draw = 0; draw < Draws; draw++)
            foreach (var row in sampler.KeptSequences(Count, Keep).data<long>()) kept[row]++;
        // E[(B/k)·1{i kept}] = 1 needs P(i kept) = k/B for every i.
        var p = (double)Keep / Count;
        var standardError = Math.Sqrt(p * (1 - p) / Draws);
        foreach (var count in kept)
            Assert.InRange((double)count / Draws, p - 4 * standardError, p + 4 * standardError);
    }

    [Theory]
    [InlineData(0.4, 12, 0, 0.0)]
    [InlineData(0.4, 12, 11, 0.4)]
    [InlineData(0.4, 12, 3, 0.4 * 3 / 11)]
    [InlineData(0.3, 1, 0, 0.0)]
    public void Block_rates_follow_the_official_linear_decay(double rate, int depth, int block, double expected) =>
        Assert.Equal(expected, new StochasticDepth(rate).RateOfBlock(block, depth), 15);

    private static Tensor Loss(BatchFeatures global, BatchFeatures local, Tensor weights) =>
        global.Cls.matmul(weights).pow(2).sum()
            .add(global.Patches.matmul(weights).sin().sum())
            .add(local.Cls.matmul(weights).exp().sum())
            .add(local.Registers.sum());

    private static Dictionary<string, Tensor> Gradients(DinoVisionTransformer model)
    {
        var grads = model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        model.zero_grad();
        return grads;
    }

    private static DinoVisionTransformer RandomModel(VitConfig config, long seed)
    {
        var model = new DinoVisionTransformer(config);
        var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (name.EndsWith("gamma", StringComparison.Ordinal)) parameter.uniform_(0.1, 1, generator);
            else parameter.normal_(0, 0.2, generator);
        }
        return model;
    }

    private static DinoVisionTransformer CopyWithGammasTimes(DinoVisionTransformer source, VitConfig config, double factor)
    {
        var copy = new DinoVisionTransformer(config);
        copy.load_state_dict(source.state_dict());
        using var noGrad = no_grad();
        foreach (var (name, parameter) in copy.named_parameters())
            if (name.EndsWith("gamma", StringComparison.Ordinal)) parameter.mul_(factor);
        return copy;
    }

    /// <summary>Hands out prepared subsets and masks in call order.</summary>
    private sealed class ScriptedSampler(long[][]? subsets = null, float[][]? masks = null) : IStochasticDepthSampler
    {
        private readonly Queue<long[]> _subsets = new(subsets ?? []);
        private readonly Queue<float[]> _masks = new(masks ?? []);

        public int Remaining => _subsets.Count + _masks.Count;

        public Tensor KeptSequences(long count, long keep)
        {
            var subset = _subsets.Dequeue();
            Assert.Equal(keep, subset.Length);
            return tensor(subset);
        }

        public Tensor KeepMask(long count, double keepProbability)
        {
            var mask = _masks.Dequeue();
            Assert.Equal(count, mask.Length);
            return tensor(mask);
        }
    }
}
