using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Model;

/// <summary>The oneDNN linear path: same results as libtorch's GEMM for the served shapes, never used under autograd.</summary>
public sealed class LinearKernelTests
{
    private const double Tolerance = 1e-4;

    public LinearKernelTests() => TorchRuntime.EnsureInitialized();

    [Theory]
    [InlineData(1L)]
    [InlineData(257L)]
    [InlineData(2056L)]
    public void OneDnnLinearEqualsLibTorchOnViTSmallShapes(long tokens)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator(11);
        foreach (var (inFeatures, outFeatures) in new[] { (384L, 1152L), (384L, 384L), (384L, 1536L), (1536L, 384L) })
        {
            var x = randn([tokens, inFeatures], generator: generator);
            var weight = randn([outFeatures, inFeatures], generator: generator).mul_(0.05);
            var bias = randn([outFeatures], generator: generator);
            var expected = nn.functional.linear(x, weight, bias);
            TensorAssert.Close(expected, OneDnn.Linear(x, weight, bias), Tolerance, $"{tokens}×{inFeatures}→{outFeatures}");
            TensorAssert.Close(nn.functional.linear(x, weight), OneDnn.Linear(x, weight, null), Tolerance, $"{tokens}×{inFeatures}→{outFeatures} without bias");
        }
    }

    [Fact]
    public void AutogradForwardsKeepLibTorchsLinear()
    {
        using var scope = NewDisposeScope();
        var linear = new InferenceLinear(384, 384) { UseOneDnn = true };
        var x = randn([5, 384], generator: new Generator(3));
        var output = linear.call(x);
        Assert.True(output.requires_grad);
        var parameters = linear.parameters().ToArray();
        Assert.Equal(0, output.sub(nn.functional.linear(x, parameters[0], parameters[1])).abs().max().item<float>());
    }

    [Fact]
    public void ViTSmallOnOneDnnGivesLibTorchsFeaturesPackedAndBatched()
    {
        using var weights = new StrongViTSmall();
        using var oneDnn = ModelLoader.Load(new ModelLoadRequest { Weights = weights.Path, Device = "cpu", Backend = "torch", LinearKernel = "onednn" });
        using var libTorch = ModelLoader.Load(new ModelLoadRequest { Weights = weights.Path, Device = "cpu", Backend = "torch", LinearKernel = "libtorch" });
        Assert.Equal(LinearKernel.Onednn, oneDnn.LinearKernel);
        Assert.Equal(LinearKernel.Libtorch, libTorch.LinearKernel);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator(5);
        var batch = randn([2, 3, 224, 224], generator: generator);
        using (var expected = libTorch.Network.ForwardFeatures(batch))
        using (var actual = oneDnn.Network.ForwardFeatures(batch))
        {
            TensorAssert.Close(expected.Cls, actual.Cls, Tolerance, "cls");
            TensorAssert.Close(expected.Patches, actual.Patches, Tolerance, "patches");
        }
        Tensor[] images = [randn([3, 224, 224], generator: generator), randn([3, 126, 252], generator: generator), randn([3, 98, 70], generator: generator)];
        using var packedExpected = libTorch.Network.ForwardPacked(images);
        using var packedActual = oneDnn.Network.ForwardPacked(images);
        TensorAssert.Close(packedExpected.Normed, packedActual.Normed, Tolerance, "packed tokens");
    }

    [Fact]
    public void LinearKernelNamesAreChecked()
    {
        var request = new ModelLoadRequest { Weights = "random:0", LinearKernel = "mkl" };
        var error = Assert.Throws<ArgumentException>(request.Validate);
        Assert.Contains("onednn or libtorch", error.Message);
    }
}
