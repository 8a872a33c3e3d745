using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Model;

public sealed class RandomInitializerTests
{
    private static readonly VitConfig Small = new() { EmbedDim = 64, Depth = 2, NumHeads = 2, NumRegisters = 2 };

    public RandomInitializerTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void SameSeedSameWeightsOtherSeedOtherWeights()
    {
        using var a = new DinoVisionTransformer(Small);
        using var b = new DinoVisionTransformer(Small);
        using var c = new DinoVisionTransformer(Small);
        RandomInitializer.Initialize(a, 5);
        RandomInitializer.Initialize(b, 5);
        RandomInitializer.Initialize(c, 6);
        var (sa, sb, sc) = (a.state_dict(), b.state_dict(), c.state_dict());
        foreach (var key in sa.Keys)
            Assert.True(sa[key].eq(sb[key]).all().item<bool>(), key);
        Assert.False(sa["blocks.0.attn.qkv.weight"].eq(sc["blocks.0.attn.qkv.weight"]).all().item<bool>());
    }

    [Fact]
    public void WeightsFollowTheOfficialInitialisation()
    {
        using var model = new DinoVisionTransformer(Small);
        RandomInitializer.Initialize(model, 0);
        var state = model.state_dict();
        using var qkv = state["blocks.1.attn.qkv.weight"];
        Assert.InRange(qkv.std().item<float>(), 0.018, 0.022);
        Assert.InRange(qkv.mean().item<float>(), -0.002, 0.002);
        Assert.InRange(state["pos_embed"].std().item<float>(), 0.018, 0.022);
        Assert.True(state["cls_token"].abs().max().item<float>() < 1e-4);
        Assert.Equal(0, state["mask_token"].abs().sum().item<float>());
        Assert.Equal(Small.LayerScaleInit, state["blocks.0.ls2.gamma"][0].item<float>(), 1e-9);
        Assert.Equal(1f, state["norm.weight"].min().item<float>());
        Assert.Equal(0f, state["blocks.0.mlp.fc1.bias"].abs().max().item<float>());
    }

    [Fact]
    public void RandomModelGivesFiniteDistinctFeatures()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var model = new DinoVisionTransformer(Small);
        RandomInitializer.Initialize(model, 0);
        using var features = model.ForwardFeatures(randn([2, 3, 56, 42], generator: new Generator(1)));
        Assert.True(features.Prenorm.isfinite().all().item<bool>());
        Assert.False(features.Cls[0].allclose(features.Cls[1]));
    }
}
