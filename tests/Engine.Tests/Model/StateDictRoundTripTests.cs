using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Model;

/// <summary>State dicts round-trip: a model saved under the official names loads back as the same architecture and the same function.</summary>
public sealed class StateDictRoundTripTests
{
    public StateDictRoundTripTests() => TorchRuntime.EnsureInitialized();

    public static TheoryData<string, VitConfig> Configurations => new()
    {
        { "official defaults with registers", new VitConfig { EmbedDim = 64, Depth = 2, NumHeads = 4, NumRegisters = 2, InterpolateOffset = 0, InterpolateAntialias = true } },
        { "SwiGLU with an unusual width", new VitConfig { EmbedDim = 48, Depth = 2, NumHeads = 3, Ffn = FfnKind.SwiGlu, FfnHiddenDimOverride = 72 } },
        { "no LayerScale, no qkv/proj/ffn biases", new VitConfig { EmbedDim = 32, Depth = 3, NumHeads = 2, LayerScale = false, QkvBias = false, ProjBias = false, FfnBias = false, MlpRatio = 2 } },
        { "patch 16, 224 pos-embed, 7 registers", new VitConfig { EmbedDim = 40, Depth = 1, NumHeads = 5, PatchSize = 16, ImgSize = 224, NumRegisters = 7 } },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void SavedModelLoadsBackAsTheSameArchitectureAndFunction(string description, VitConfig config)
    {
        using var scope = NewDisposeScope();
        using var original = new DinoVisionTransformer(config);
        RandomInitializer.Initialize(original, 11);
        var folder = Directory.CreateTempSubdirectory("roundtrip-");
        try
        {
            var weights = Path.Combine(folder.FullName, "model.safetensors");
            SafeTensorsWriter.Write(weights, original.state_dict());
            File.WriteAllText(Path.Combine(folder.FullName, "model.json"),
                $$"""{"num_heads": {{config.NumHeads}}, "interpolate_offset": {{config.InterpolateOffset}}, "interpolate_antialias": {{config.InterpolateAntialias.ToString().ToLowerInvariant()}}}""");
            using var loaded = ModelLoader.Load(new ModelLoadRequest { Weights = weights, Device = "cpu" });
            Assert.Equal(config.ToString(), loaded.Network.Config.ToString());
            Assert.Equal(config with { LayerScaleInit = 0 }, loaded.Network.Config with { LayerScaleInit = 0 });

            using var noGrad = no_grad();
            var size = config.PatchSize * 3;
            var images = randn([2, 3, size, 2 * size], generator: new Generator(2));
            using var expected = original.ForwardFeatures(images);
            using var actual = loaded.Network.ForwardFeatures(images);
            TensorAssert.Close(expected.Prenorm, actual.Prenorm, 0, description);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
