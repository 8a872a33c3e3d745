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
        using var folder = new TemporaryFolder();
        var alone = Path.Combine(folder.Path, "weights.safetensors");
        File.Copy(Fixtures.SafeTensors("tiny"), alone);
        var error = Assert.Throws<CheckpointException>(() => CheckpointLoader.Load(alone, CheckpointLoadOptions.Default));

        Assert.Contains("heads", error.Message);
        Assert.Contains("96", error.Message);
    }

    [Theory]
    [InlineData("tiny")]
    [InlineData("reg")]
    public void ArchitectureSidecarBesideTheWeightsSuppliesWhatTensorsCannotTell(string model)
    {
        // The fixture folders carry manifest.json, whose "config" names the heads and interpolation settings.
        using var loaded = CheckpointLoader.Load(Fixtures.Pth(model), CheckpointLoadOptions.Default);
        var expected = Fixtures.ManifestConfig(model);
        Assert.Equal(expected, loaded.Config with { LayerScaleInit = expected.LayerScaleInit });
    }

    [Fact]
    public void SidecarNamedLikeTheWeightsWinsAndExplicitOptionsWinOverIt()
    {
        using var folder = new TemporaryFolder();
        var weights = Path.Combine(folder.Path, "student.safetensors");
        File.Copy(Fixtures.SafeTensors("tiny"), weights);
        File.WriteAllText(Path.Combine(folder.Path, "config.json"), """{"num_attention_heads": 2}""");
        File.WriteAllText(Path.Combine(folder.Path, "student.json"), """{"num_heads": 6, "interpolate_offset": 0.0}""");
        using (var fromSidecar = CheckpointLoader.Load(weights, CheckpointLoadOptions.Default))
        {
            Assert.Equal(6, fromSidecar.Config.NumHeads);
            Assert.Equal(0.0, fromSidecar.Config.InterpolateOffset);
        }
        using var explicitHeads = CheckpointLoader.Load(weights, new CheckpointLoadOptions { NumHeads = 3 });
        Assert.Equal(3, explicitHeads.Config.NumHeads);
    }

    [Fact]
    public void UnreadableSidecarIsAClearError()
    {
        using var folder = new TemporaryFolder();
        var weights = Path.Combine(folder.Path, "weights.pth");
        File.Copy(Fixtures.Pth("tiny"), weights);
        File.WriteAllText(Path.Combine(folder.Path, "manifest.json"), "{ not json");
        var error = Assert.Throws<CheckpointException>(() => CheckpointLoader.Load(weights, CheckpointLoadOptions.Default));
        Assert.Contains("manifest.json", error.Message);
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
