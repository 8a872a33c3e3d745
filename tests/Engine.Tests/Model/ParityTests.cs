using EmbeddingService.Engine.IO;
using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Model;

public sealed class ParityTests
{
    private const double Tolerance = 1e-4;

    public ParityTests() => TorchRuntime.EnsureInitialized();

    [Theory]
    [InlineData("tiny", "224", "pth")]
    [InlineData("tiny", "224", "safetensors")]
    [InlineData("reg", "224", "pth")]
    [InlineData("reg", "224", "safetensors")]
    [InlineData("reg", "518", "pth")]
    [InlineData("reg", "518", "safetensors")]
    public void ForwardFeaturesMatchesOfficialOutputs(string config, string @case, string format)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var loaded = FixtureModels.Load(config, format);
        var model = loaded.Network;
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
        using var loaded = FixtureModels.Load(config);
        var model = loaded.Network;
        var expected = Npy.Read(Fixtures.Parity(config, $"expected_posembed_{gridHeight}x{gridWidth}.npy"));
        TensorAssert.Close(expected, model.PositionEmbeddingFor(gridHeight, gridWidth), Tolerance, "pos_embed");
    }
}
