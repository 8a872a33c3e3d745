using EmbeddingService.Engine.IO;
using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Model;

public sealed class ParityTests
{
    private const double Tolerance = 1e-4;

    public ParityTests() => TorchRuntime.EnsureInitialized();

    private static DinoVisionTransformer LoadPth(string config)
    {
        var model = new DinoVisionTransformer(Fixtures.ManifestConfig(config));
        model.load_py(Fixtures.Parity(config, "weights.pth"));
        model.eval();
        return model;
    }

    [Theory]
    [InlineData("tiny", "224")]
    [InlineData("reg", "224")]
    [InlineData("reg", "518")]
    public void ForwardFeaturesMatchesOfficialOutputs(string config, string @case)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var model = LoadPth(config);
        var input = Npy.Read(Fixtures.Parity(config, $"input_{@case}.npy"));
        using var features = model.ForwardFeatures(tensor(input.Data, input.Shape));
        TensorAssert.Close(Npy.Read(Fixtures.Parity(config, $"expected_{@case}_cls.npy")), features.Cls, Tolerance, "cls");
        TensorAssert.Close(Npy.Read(Fixtures.Parity(config, $"expected_{@case}_patch.npy")), features.Patches, Tolerance, "patch");
        TensorAssert.Close(Npy.Read(Fixtures.Parity(config, $"expected_{@case}_prenorm.npy")), features.Prenorm, Tolerance, "prenorm");
        if (Fixtures.ManifestConfig(config).NumRegisters > 0)
            TensorAssert.Close(Npy.Read(Fixtures.Parity(config, $"expected_{@case}_reg.npy")), features.Registers, Tolerance, "registers");
    }

    [Theory]
    [InlineData("tiny", 16, 16)]
    [InlineData("tiny", 32, 22)]
    [InlineData("reg", 16, 16)]
    public void PositionEmbeddingInterpolationMatchesOfficial(string config, int gridHeight, int gridWidth)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var model = LoadPth(config);
        var expected = Npy.Read(Fixtures.Parity(config, $"expected_posembed_{gridHeight}x{gridWidth}.npy"));
        TensorAssert.Close(expected, model.PositionEmbeddingFor(gridHeight, gridWidth), Tolerance, "pos_embed");
    }
}
