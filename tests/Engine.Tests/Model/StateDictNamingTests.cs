using System.Text.Json;
using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;

namespace EmbeddingService.Engine.Tests.Model;

public sealed class StateDictNamingTests
{
    public StateDictNamingTests() => TorchRuntime.EnsureInitialized();

    [Theory]
    [InlineData("tiny")]
    [InlineData("reg")]
    public void ParameterNamesAndShapesAreTheOfficialOnes(string config)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Fixtures.Parity(config, "manifest.json")));
        var expected = manifest.RootElement.GetProperty("weights").GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("key").GetString()!, p => p.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray());
        using var model = new DinoVisionTransformer(Fixtures.ManifestConfig(config));
        var actual = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, shape) in expected)
            Assert.Equal(shape, actual[key]);
    }

    [Fact]
    public void SwiGluBlocksUseTheFusedOfficialNames()
    {
        var config = new VitConfig { EmbedDim = 48, Depth = 1, NumHeads = 2, Ffn = FfnKind.SwiGlu };
        using var model = new DinoVisionTransformer(config);
        var state = model.state_dict();
        // hidden = (int(4·48·2/3) + 7) // 8 · 8 = 128
        Assert.Equal(new long[] { 256, 48 }, state["blocks.0.mlp.w12.weight"].shape);
        Assert.Equal(new long[] { 48, 128 }, state["blocks.0.mlp.w3.weight"].shape);
        Assert.False(state.ContainsKey("register_tokens"));
    }
}
