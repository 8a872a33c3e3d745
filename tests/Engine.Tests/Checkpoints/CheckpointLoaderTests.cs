using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.Runtime;

namespace EmbeddingService.Engine.Tests.Checkpoints;

public sealed class CheckpointLoaderTests
{
    // 96 is no official width, so the fixtures need their head count spelled out.
    private static readonly CheckpointLoadOptions FixtureOptions = new() { NumHeads = 3 };

    public CheckpointLoaderTests() => TorchRuntime.EnsureInitialized();

    [Theory]
    [InlineData("tiny")]
    [InlineData("reg")]
    public void BothFormatsLoadTheManifestTensorsAndArchitecture(string model)
    {
        using var fromPth = CheckpointLoader.Load(Fixtures.Pth(model), FixtureOptions);
        using var fromSafeTensors = CheckpointLoader.Load(Fixtures.SafeTensors(model), FixtureOptions);

        TensorAssert.SameKeysAndShapes(Fixtures.ManifestShapes(model), fromPth.State);
        TensorAssert.Identical(fromPth.State, fromSafeTensors.State);
        Assert.Equal(Fixtures.ManifestConfig(model), fromPth.Config);
        Assert.Equal(Fixtures.ManifestConfig(model), fromSafeTensors.Config);
        Assert.Equal("torch-zip", fromPth.Format);
        Assert.Equal("safetensors", fromSafeTensors.Format);
        Assert.Equal(Fixtures.Pth(model), fromPth.Source);
        Assert.Empty(fromPth.Notes);
    }

    [Fact]
    public void RegisterModelsGetTheOfficialRegisterInterpolationAndOthersTheOriginalOne()
    {
        using var tiny = CheckpointLoader.Load(Fixtures.SafeTensors("tiny"), FixtureOptions);
        using var reg = CheckpointLoader.Load(Fixtures.SafeTensors("reg"), FixtureOptions);

        Assert.Equal((0, 0.1, false), (tiny.Config.NumRegisters, tiny.Config.InterpolateOffset, tiny.Config.InterpolateAntialias));
        Assert.Equal((4, 0.0, true), (reg.Config.NumRegisters, reg.Config.InterpolateOffset, reg.Config.InterpolateAntialias));
    }

    [Fact]
    public void CallerOverridesInterpolationAndLayerNormEps()
    {
        var options = FixtureOptions with { InterpolateOffset = 0.0, InterpolateAntialias = true, LayerNormEps = 1e-5 };
        using var tiny = CheckpointLoader.Load(Fixtures.SafeTensors("tiny"), options);

        Assert.Equal((0.0, true, 1e-5), (tiny.Config.InterpolateOffset, tiny.Config.InterpolateAntialias, tiny.Config.LayerNormEps));
    }

    [Fact]
    public void UnofficialWidthWithoutHeadOverrideIsRejected()
    {
        var error = Assert.Throws<CheckpointException>(() => CheckpointLoader.Load(Fixtures.SafeTensors("tiny"), CheckpointLoadOptions.Default));

        Assert.Contains("heads", error.Message);
        Assert.Contains("96", error.Message);
    }

    [Fact]
    public void FingerprintIsAShortSha256OfTheFileBytes()
    {
        using var pth = CheckpointLoader.Load(Fixtures.Pth("tiny"), FixtureOptions);
        using var safeTensors = CheckpointLoader.Load(Fixtures.SafeTensors("tiny"), FixtureOptions);

        Assert.Matches("^sha256:[0-9a-f]{16}$", pth.Fingerprint);
        Assert.Matches("^sha256:[0-9a-f]{16}$", safeTensors.Fingerprint);
        Assert.NotEqual(pth.Fingerprint, safeTensors.Fingerprint);
        Assert.Equal(pth.Fingerprint, CheckpointLoader.Fingerprint(Fixtures.Pth("tiny")));
    }
}
