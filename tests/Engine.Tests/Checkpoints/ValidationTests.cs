using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Checkpoints;

public sealed class ValidationTests
{
    public ValidationTests() => TorchRuntime.EnsureInitialized();

    [Theory]
    [InlineData("tiny")]
    [InlineData("reg")]
    public void ExpectedShapesOfTheManifestArchitectureAreTheManifestParameters(string model)
    {
        var expected = Fixtures.ManifestShapes(model);
        var actual = VitParameterShapes.For(Fixtures.ManifestConfig(model));

        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (key, shape) in expected) Assert.Equal(shape, actual[key]);
    }

    [Fact]
    public void EveryMissingUnexpectedAndMisshapedKeyIsNamedInOneException()
    {
        var state = SafeTensorsReader.Read(Fixtures.SafeTensors("tiny"));
        try
        {
            state.Remove("blocks.1.ls1.gamma", out var gamma);
            state.Remove("norm.bias", out var normBias);
            gamma!.Dispose();
            normBias!.Dispose();
            state["head.weight"] = zeros(10, 96);
            state["blocks.0.mlp.fc1.weight"].Dispose();
            state["blocks.0.mlp.fc1.weight"] = zeros(100, 96);
            state["mask_token"].Dispose();
            state["mask_token"] = zeros(1, 1, 96);

            var error = Assert.Throws<CheckpointException>(() => StateDictValidator.Validate(state, Fixtures.ManifestConfig("tiny")));

            Assert.Contains("missing 'blocks.1.ls1.gamma' (expected [96])", error.Message);
            Assert.Contains("missing 'norm.bias' (expected [96])", error.Message);
            Assert.Contains("unexpected 'head.weight' [10, 96]", error.Message);
            Assert.Contains("wrong shape for 'blocks.0.mlp.fc1.weight': expected [384, 96], got [100, 96]", error.Message);
            Assert.Contains("wrong shape for 'mask_token': expected [1, 96], got [1, 1, 96]", error.Message);
            Assert.Contains("5 problems", error.Message);
        }
        finally
        {
            TensorAssert.DisposeAll(state);
        }
    }

    [Fact]
    public void LoaderReportsAPartialCheckpointWithEveryMissingKey()
    {
        using var folder = new TemporaryFolder();
        var state = SafeTensorsReader.Read(Fixtures.SafeTensors("tiny"));
        var path = Path.Combine(folder.Path, "partial.safetensors");
        try
        {
            SafeTensorsWriter.Write(path, state.Where(pair => !pair.Key.StartsWith("blocks.2.attn.", StringComparison.Ordinal)).ToDictionary());
        }
        finally
        {
            TensorAssert.DisposeAll(state);
        }

        var error = Assert.Throws<CheckpointException>(() => CheckpointLoader.Load(path, new CheckpointLoadOptions { NumHeads = 3 }));

        foreach (var key in new[] { "blocks.2.attn.qkv.weight", "blocks.2.attn.qkv.bias", "blocks.2.attn.proj.weight", "blocks.2.attn.proj.bias" })
            Assert.Contains($"missing '{key}'", error.Message);
    }

    [Fact]
    public void GapsInTheBlockIndicesAreReported()
    {
        var state = SafeTensorsReader.Read(Fixtures.SafeTensors("tiny"));
        try
        {
            foreach (var key in state.Keys.Where(key => key.StartsWith("blocks.1.", StringComparison.Ordinal)).ToList())
            {
                state[key].Dispose();
                state.Remove(key);
            }

            var error = Assert.Throws<CheckpointException>(() => ArchitectureInference.Infer(state, new CheckpointLoadOptions { NumHeads = 3 }));

            Assert.Contains("blocks 1 are missing", error.Message);
        }
        finally
        {
            TensorAssert.DisposeAll(state);
        }
    }

    [Fact]
    public void NonSquarePositionGridIsReported()
    {
        var state = SafeTensorsReader.Read(Fixtures.SafeTensors("tiny"));
        try
        {
            state["pos_embed"].Dispose();
            state["pos_embed"] = zeros(1, 1 + 37 * 36, 96);

            var error = Assert.Throws<CheckpointException>(() => ArchitectureInference.Infer(state, new CheckpointLoadOptions { NumHeads = 3 }));

            Assert.Contains("pos_embed has 1333 positions", error.Message);
        }
        finally
        {
            TensorAssert.DisposeAll(state);
        }
    }

    [Fact]
    public void An_unofficial_width_without_a_head_count_says_every_way_to_give_one()
    {
        var config = new VitConfig { EmbedDim = 7, Depth = 1, NumHeads = 1, ImgSize = 28 };
        var state = VitParameterShapes.For(config).ToDictionary(pair => pair.Key, pair => zeros(pair.Value));
        try
        {
            var error = Assert.Throws<CheckpointException>(() => ArchitectureInference.Infer(state, new CheckpointLoadOptions()));
            Assert.Contains("cannot be inferred for embed dim 7", error.Message);
            Assert.Contains("embedctl --heads, Model:Heads, a spec's num_heads", error.Message);
        }
        finally
        {
            TensorAssert.DisposeAll(state);
        }
    }

    [Fact]
    public void MlpWidthIsInferredExactlyEvenWhenTheRatioIsNotRepresentable()
    {
        // 61 / 7 * 7 is 60.99999999999999 in double arithmetic.
        var config = new VitConfig { EmbedDim = 7, Depth = 1, NumHeads = 1, ImgSize = 28 };
        var state = VitParameterShapes.For(config).ToDictionary(pair => pair.Key, pair => zeros(pair.Value));
        try
        {
            foreach (var key in state.Keys.Where(key => key.Contains(".mlp.")).ToList()) state[key].Dispose();
            state["blocks.0.mlp.fc1.weight"] = zeros(61, 7);
            state["blocks.0.mlp.fc1.bias"] = zeros(61);
            state["blocks.0.mlp.fc2.weight"] = zeros(7, 61);
            state["blocks.0.mlp.fc2.bias"] = zeros(7);

            var inferred = ArchitectureInference.Infer(state, new CheckpointLoadOptions { NumHeads = 1 });

            Assert.Equal(61, inferred.FfnHiddenDim);
            StateDictValidator.Validate(state, inferred);
        }
        finally
        {
            TensorAssert.DisposeAll(state);
        }
    }
}
