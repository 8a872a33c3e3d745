using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Model;

public sealed class PackingTests
{
    private const double Tolerance = 1e-4;

    // Five different token counts; 224×196 and 196×224 share one (16·14 patches) and so one attention call.
    private static readonly (int H, int W)[] Sizes = [(224, 224), (196, 252), (112, 308), (224, 196), (196, 224), (224, 224), (98, 98)];

    public PackingTests() => TorchRuntime.EnsureInitialized();

    [Theory]
    [InlineData("tiny")]
    [InlineData("reg")]
    public void PackedForwardEqualsOneByOne(string config)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var loaded = FixtureModels.Load(config);
        var model = loaded.Network;
        var generator = new TorchSharp.torch.Generator(7);
        var images = Sizes.Select(s => randn([3, s.H, s.W], generator: generator)).ToArray();

        using var packed = model.ForwardPacked(images);
        Assert.True(packed.Sequences.Select(s => s.PatchCount).Distinct().Count() >= 4);
        for (var i = 0; i < images.Length; i++)
        {
            using var alone = model.ForwardFeatures(images[i].unsqueeze(0));
            Assert.Equal(Sizes[i].H / 14, packed.Sequences[i].GridHeight);
            Assert.Equal(Sizes[i].W / 14, packed.Sequences[i].GridWidth);
            TensorAssert.Close(alone.Cls[0], packed.Cls(i), Tolerance, $"cls {i}");
            TensorAssert.Close(alone.Patches[0], packed.Patches(i), Tolerance, $"patches {i}");
            TensorAssert.Close(alone.Registers[0], packed.Registers(i), Tolerance, $"registers {i}");
            TensorAssert.Close(alone.Prenorm[0], packed.PrenormTokens(i), Tolerance, $"prenorm {i}");
        }
    }

    [Theory]
    [InlineData("tiny")]
    [InlineData("reg")]
    public void PaddedLayoutGivesThePackedResults(string config)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var loaded = FixtureModels.Load(config);
        var generator = new TorchSharp.torch.Generator(5);
        var images = Sizes.Select(s => randn([3, s.H, s.W], generator: generator)).ToArray();
        using var packed = loaded.Network.ForwardPacked(images);
        using var padded = loaded.Network.ForwardPacked(images, layout: BatchLayout.Padded);
        var longest = padded.Sequences.Max(s => s.Length);
        Assert.Equal(images.Length * longest, padded.Normed.shape[0]);
        for (var i = 0; i < images.Length; i++)
        {
            TensorAssert.Close(packed.PrenormTokens(i), padded.PrenormTokens(i), Tolerance, $"prenorm {i}");
            TensorAssert.Close(packed.Cls(i), padded.Cls(i), Tolerance, $"cls {i}");
        }
    }

    [Fact]
    public void MaskedPatchesBecomeTheMaskToken()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var loaded = FixtureModels.Load("reg");
        var model = loaded.Network;
        var generator = new TorchSharp.torch.Generator(3);
        var a = randn([1, 3, 56, 56], generator: generator);
        var b = randn([1, 3, 56, 56], generator: generator);
        // Masking every patch makes the output independent of the pixels.
        var all = ones([1, 16], dtype: @bool);
        using var fa = model.ForwardFeatures(a, all);
        using var fb = model.ForwardFeatures(b, all);
        TensorAssert.Close(fa.Prenorm, fb.Prenorm, 1e-6, "fully masked");
        // Masking none leaves it unchanged; masking one patch changes the output.
        using var unmasked = model.ForwardFeatures(a);
        using var noneMasked = model.ForwardFeatures(a, zeros([1, 16], dtype: @bool));
        TensorAssert.Close(unmasked.Prenorm, noneMasked.Prenorm, 0, "mask of zeros");
        var one = zeros([1, 16], dtype: @bool);
        one[0, 5] = tensor(true);
        using var oneMasked = model.ForwardFeatures(a, one);
        Assert.True(TensorAssert.MaxAbsDifference(unmasked.Prenorm, oneMasked.Prenorm) > 1e-3);
    }

    [Fact]
    public void RejectsSizesThatAreNotPatchMultiples()
    {
        using var scope = NewDisposeScope();
        using var model = new DinoVisionTransformer(Fixtures.ManifestConfig("tiny"));
        var error = Assert.Throws<ArgumentException>(() => model.ForwardFeatures(zeros(1, 3, 224, 100)));
        Assert.Contains("multiple of the patch size", error.Message);
    }
}
