using System.Text.RegularExpressions;
using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Checkpoints;

public sealed class KeyMappingTests
{
    private static readonly CheckpointLoadOptions FixtureOptions = new() { NumHeads = 3 };

    public KeyMappingTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void ChunkedBlockKeysLoadIdenticallyToPlainOnes()
    {
        using var folder = new TemporaryFolder();
        using var plain = CheckpointLoader.Load(Fixtures.SafeTensors("reg"), FixtureOptions);
        // Official block_chunks: blocks.C.N with N the global index (here chunks of two blocks).
        var chunked = plain.State.ToDictionary(
            pair => Regex.Replace(pair.Key, @"^blocks\.(\d+)\.", match => $"blocks.{int.Parse(match.Groups[1].Value) / 2}.{match.Groups[1].Value}."),
            pair => pair.Value);
        Assert.Contains("blocks.1.2.norm1.weight", chunked.Keys);
        var path = Path.Combine(folder.Path, "chunked.safetensors");
        SafeTensorsWriter.Write(path, chunked);

        using var loaded = CheckpointLoader.Load(path, FixtureOptions);

        TensorAssert.Identical(plain.State, loaded.State);
        Assert.Equal(plain.Config, loaded.Config);
    }

    [Fact]
    public void HuggingFaceFolderLoadsBackToTheOfficialTensors()
    {
        using var folder = new TemporaryFolder();
        using var official = CheckpointLoader.Load(Fixtures.SafeTensors("reg"), FixtureOptions);
        WriteHuggingFaceFolder(folder.Path, official.State, """
            {"model_type": "dinov2_with_registers", "hidden_size": 96, "num_hidden_layers": 3, "num_attention_heads": 3,
             "layer_norm_eps": 1e-06, "image_size": 518, "patch_size": 14, "num_register_tokens": 4, "use_swiglu_ffn": false}
            """, prefix: "dinov2.", withClassifier: true);

        // No head override: the count comes from config.json.
        using var loaded = CheckpointLoader.Load(folder.Path, CheckpointLoadOptions.Default);

        TensorAssert.Identical(official.State, loaded.State);
        Assert.Equal(official.Config, loaded.Config);
        Assert.Equal("huggingface", loaded.Format);
        Assert.Equal(CheckpointLoader.Fingerprint(Path.Combine(folder.Path, "model.safetensors")), loaded.Fingerprint);
        Assert.Contains(loaded.Notes, note => note.Contains("classifier.weight") && note.Contains("classifier.bias"));
    }

    [Fact]
    public void HuggingFaceKeysInABareSafeTensorsFileAreMappedToo()
    {
        using var folder = new TemporaryFolder();
        using var official = CheckpointLoader.Load(Fixtures.SafeTensors("tiny"), FixtureOptions);
        var huggingFace = HuggingFaceExport.From(official.State);
        var path = Path.Combine(folder.Path, "hf.safetensors");
        try
        {
            SafeTensorsWriter.Write(path, huggingFace);
        }
        finally
        {
            TensorAssert.DisposeAll(huggingFace);
        }

        using var loaded = CheckpointLoader.Load(path, FixtureOptions);

        TensorAssert.Identical(official.State, loaded.State);
    }

    [Fact]
    public void HuggingFaceConfigThatContradictsTheWeightsIsRejected()
    {
        using var folder = new TemporaryFolder();
        using var official = CheckpointLoader.Load(Fixtures.SafeTensors("reg"), FixtureOptions);
        WriteHuggingFaceFolder(folder.Path, official.State, """
            {"num_attention_heads": 3, "image_size": 224, "patch_size": 14, "num_register_tokens": 0}
            """);

        var error = Assert.Throws<CheckpointException>(() => CheckpointLoader.Load(folder.Path, CheckpointLoadOptions.Default));

        Assert.Contains("image_size 224", error.Message);
        Assert.Contains("num_register_tokens 0", error.Message);
    }

    [Fact]
    public void SwiGluHuggingFaceWeightsMapToW12AndW3AndInferTheSwiGluFfn()
    {
        var expectedConfig = new VitConfig { EmbedDim = 96, Depth = 2, NumHeads = 3, Ffn = FfnKind.SwiGlu, ImgSize = 56 };
        var official = RandomState(expectedConfig);
        using var folder = new TemporaryFolder();
        try
        {
            WriteHuggingFaceFolder(folder.Path, official, """
                {"num_attention_heads": 3, "image_size": 56, "patch_size": 14, "use_swiglu_ffn": true}
                """);

            using var loaded = CheckpointLoader.Load(folder.Path, CheckpointLoadOptions.Default);

            Assert.Equal(expectedConfig, loaded.Config);
            Assert.Equal([2L * 256, 96], loaded.State["blocks.1.mlp.w12.weight"].shape);
            TensorAssert.Identical(official, loaded.State);
        }
        finally
        {
            TensorAssert.DisposeAll(official);
        }
    }

    private static Dictionary<string, Tensor> RandomState(VitConfig config)
    {
        using var generator = new Generator(0);
        return VitParameterShapes.For(config).ToDictionary(pair => pair.Key, pair => randn(pair.Value, generator: generator));
    }

    private static void WriteHuggingFaceFolder(string folder, IReadOnlyDictionary<string, Tensor> official, string configJson, string prefix = "", bool withClassifier = false)
    {
        var huggingFace = HuggingFaceExport.From(official, prefix);
        if (withClassifier)
        {
            huggingFace["classifier.weight"] = zeros(10, 2 * official["cls_token"].shape[2]);
            huggingFace["classifier.bias"] = zeros(10);
        }
        try
        {
            SafeTensorsWriter.Write(Path.Combine(folder, "model.safetensors"), huggingFace);
        }
        finally
        {
            TensorAssert.DisposeAll(huggingFace);
        }
        File.WriteAllText(Path.Combine(folder, "config.json"), configJson);
    }
}
