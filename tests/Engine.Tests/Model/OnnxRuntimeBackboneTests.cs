using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.IO;
using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Onnx;
using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Model;

public sealed class OnnxRuntimeBackboneTests
{
    private const double Tolerance = 1e-4;

    private static readonly (int H, int W)[] MixedSizes = [(224, 224), (196, 252), (112, 308), (224, 196), (196, 224), (224, 224), (98, 98)];

    public OnnxRuntimeBackboneTests() => TorchRuntime.EnsureInitialized();

    [Theory]
    [InlineData("tiny", "224")]
    [InlineData("reg", "224")]
    [InlineData("reg", "518")]
    public void MatchesOfficialOutputs(string config, string @case)
    {
        using var scope = NewDisposeScope();
        using var loaded = Load(Fixtures.Parity(config, "weights.pth"), "onnxruntime");
        Assert.Equal(InferenceBackend.Onnxruntime, loaded.Backend);
        var input = Npy.Read(Fixtures.Parity(config, $"input_{@case}.npy"));
        var images = tensor(input.Data, input.Shape).unbind(0);
        using var features = loaded.Forward.ForwardPacked(images);
        var expectedCls = Npy.Read(Fixtures.Parity(config, $"expected_{@case}_cls.npy"));
        var expectedPatches = Npy.Read(Fixtures.Parity(config, $"expected_{@case}_patch.npy"));
        var expectedPrenorm = Npy.Read(Fixtures.Parity(config, $"expected_{@case}_prenorm.npy"));
        TensorAssert.Close(expectedCls, stack(images.Select((_, i) => features.Cls(i)).ToArray()), Tolerance, "cls");
        TensorAssert.Close(expectedPatches, stack(images.Select((_, i) => features.Patches(i)).ToArray()), Tolerance, "patch");
        TensorAssert.Close(expectedPrenorm, stack(images.Select((_, i) => features.PrenormTokens(i)).ToArray()), Tolerance, "prenorm");
        if (Fixtures.ManifestConfig(config).NumRegisters > 0)
            TensorAssert.Close(Npy.Read(Fixtures.Parity(config, $"expected_{@case}_reg.npy")), stack(images.Select((_, i) => features.Registers(i)).ToArray()), Tolerance, "registers");
    }

    public static TheoryData<string> Architectures => new()
    {
        "swiglu", "no-layerscale", "no-biases", "registers", "odd-head-dim", "one-block",
    };

    /// <summary>Architectures the fixtures do not cover, with every weight random (biases, LayerNorm and LayerScale too), against the TorchSharp network.</summary>
    [Theory]
    [MemberData(nameof(Architectures))]
    public void MatchesTheNetworkOnMixedSizesForOtherArchitectures(string architecture)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var config = new VitConfig { EmbedDim = 48, Depth = 3, NumHeads = 3, ImgSize = 224 } switch
        {
            var c when architecture == "swiglu" => c with { Ffn = FfnKind.SwiGlu },
            var c when architecture == "no-layerscale" => c with { LayerScale = false },
            var c when architecture == "no-biases" => c with { QkvBias = false, ProjBias = false, FfnBias = false },
            var c when architecture == "registers" => c with { NumRegisters = 4, InterpolateOffset = 0, InterpolateAntialias = true },
            var c when architecture == "odd-head-dim" => c with { EmbedDim = 60, NumHeads = 3 },
            var c => c with { Depth = 1 },
        };
        using var network = new DinoVisionTransformer(config);
        Randomize(network);
        network.eval();
        using var backbone = OnnxRuntimeBackbone.Create(network, threads: 2);
        var generator = new Generator(11);
        var images = MixedSizes.Select(s => randn([3, s.H, s.W], generator: generator)).ToArray();
        using var expected = network.ForwardPacked(images);
        using var actual = backbone.ForwardPacked(images);
        for (var i = 0; i < images.Length; i++)
        {
            Assert.Equal(expected.Sequences[i], actual.Sequences[i] with { Offset = expected.Sequences[i].Offset });
            TensorAssert.Close(expected.Cls(i), actual.Cls(i), Tolerance, $"cls {i}");
            TensorAssert.Close(expected.Patches(i), actual.Patches(i), Tolerance, $"patches {i}");
            TensorAssert.Close(expected.Registers(i), actual.Registers(i), Tolerance, $"registers {i}");
            TensorAssert.Close(expected.PrenormTokens(i), actual.PrenormTokens(i), Tolerance, $"prenorm {i}");
        }
    }

    [Fact]
    public void PackedForwardEqualsOneByOne()
    {
        using var scope = NewDisposeScope();
        using var loaded = Load(Fixtures.Parity("reg", "weights.pth"), "onnxruntime");
        var generator = new Generator(7);
        var images = MixedSizes.Select(s => randn([3, s.H, s.W], generator: generator)).ToArray();
        using var packed = loaded.Forward.ForwardPacked(images);
        for (var i = 0; i < images.Length; i++)
        {
            using var alone = loaded.Forward.ForwardPacked([images[i]]);
            TensorAssert.Close(alone.Cls(0), packed.Cls(i), Tolerance, $"cls {i}");
            TensorAssert.Close(alone.Patches(0), packed.Patches(i), Tolerance, $"patches {i}");
        }
    }

    [Fact]
    public void AutoServesCpuFp32ModelsOnOnnxRuntime()
    {
        using var auto = Load(Fixtures.Parity("tiny", "weights.pth"), "auto");
        Assert.Equal(InferenceBackend.Onnxruntime, auto.Backend);
        using var torchBackend = Load(Fixtures.Parity("tiny", "weights.pth"), "torch");
        Assert.Equal(InferenceBackend.Torch, torchBackend.Backend);
        Assert.Same(torchBackend.Network, torchBackend.Forward);
    }

    [Fact]
    public void OnnxRuntimeRefusesReducedPrecisionAndAutoFallsBack()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelLoader.Load(new ModelLoadRequest { Weights = Fixtures.Parity("tiny", "weights.pth"), Device = "cpu", Precision = "bf16", Backend = "onnxruntime" }));
        Assert.Contains(CpuFeatures.HasBf16 ? "CPU fp32" : "bfloat16", error.Message);
        if (!CpuFeatures.HasBf16) return;
        using var auto = ModelLoader.Load(new ModelLoadRequest { Weights = Fixtures.Parity("tiny", "weights.pth"), Device = "cpu", Precision = "bf16" });
        Assert.Equal(InferenceBackend.Torch, auto.Backend);
    }

    [Fact]
    public void UnknownBackendNamesTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => new ModelLoadRequest { Weights = "random:0", Backend = "tensorrt" }.Validate());
        Assert.Contains("auto, torch or onnxruntime", error.Message);
    }

    [Fact]
    public void RefusesMasksPaddingAndBadSizesClearly()
    {
        using var scope = NewDisposeScope();
        using var loaded = Load(Fixtures.Parity("tiny", "weights.pth"), "onnxruntime");
        var image = randn(3, 28, 28);
        Assert.Throws<NotSupportedException>(() => loaded.Forward.ForwardPacked([image], [ones(4, dtype: @bool)]));
        Assert.Throws<NotSupportedException>(() => loaded.Forward.ForwardPacked([image], layout: BatchLayout.Padded));
        var error = Assert.Throws<ArgumentException>(() => loaded.Forward.ForwardPacked([randn(3, 30, 28)]));
        Assert.Contains("multiple of the patch size", error.Message);
    }

    [Fact]
    public void AgreementCheckCatchesAWrongGraph()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var network = new DinoVisionTransformer(new VitConfig { EmbedDim = 48, Depth = 2, NumHeads = 3, ImgSize = 224 });
        Randomize(network);
        network.eval();
        using var backbone = OnnxRuntimeBackbone.Create(network, threads: 1);
        Assert.True(BackboneAgreement.RelativeDifference(network, backbone) < BackboneAgreement.RelativeBound);
        // The network changes after the graph was built from it: the check must see the graphs differ.
        network.get_parameter("blocks.1.mlp.fc2.weight")!.mul_(tensor(2f));
        Assert.True(BackboneAgreement.RelativeDifference(network, backbone) > BackboneAgreement.RelativeBound);
    }

    private static LoadedModel Load(string weights, string backend) =>
        ModelLoader.Load(new ModelLoadRequest { Weights = weights, Device = "cpu", Backend = backend });

    private static void Randomize(DinoVisionTransformer network)
    {
        using var noGrad = no_grad();
        var generator = new Generator(3);
        foreach (var (name, parameter) in network.named_parameters())
        {
            var values = name.EndsWith("gamma") || name.Contains("norm")
                ? rand(parameter.shape, generator: generator)
                : randn(parameter.shape, generator: generator).mul(tensor(name.EndsWith("bias") ? 0.1f : 0.05f));
            parameter.copy_(values);
        }
    }
}
