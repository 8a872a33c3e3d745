using System.Text.Json;
using EmbeddingService.Engine.Model;
using EmbeddingService.Training.Heads;
using EmbeddingService.Training.Optimization;
using TorchSharp.Modules;

namespace EmbeddingService.Training.Tests.Optimization;

public sealed class ParameterGroupsTests
{
    private static readonly JsonElement Groups =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TrainFixtures.Folder("dinov2-train-parity/param_groups"), "param_groups.json"))).RootElement;

    [Fact]
    public void Backbone_with_registers_from_the_engine_model_matches()
    {
        using var vit = new DinoVisionTransformer(Architecture("depth4_registers"));
        var backbone = ParameterGroups.GetParamsGroupsWithDecay(vit.named_parameters(), vit.Config.Depth, chunkedBlocks: false, 0.9, 0.2);
        AssertMatches("depth4_registers", backbone, ParameterGroups.ForSubmodel(vit));
    }

    [Fact]
    public void Backbone_with_block_chunks_matches_by_name()
    {
        // The engine keeps no chunk prefixes, so its names get the official BlockChunk ones: blocks.<chunk>.<i>.
        var arch = Groups.GetProperty("depth4_block_chunks2").GetProperty("arch");
        using var vit = new DinoVisionTransformer(Architecture("depth4_block_chunks2"));
        var backbone = ParameterGroups.SettingsOf(vit, 0.9, 0.2, arch.GetProperty("block_chunks").GetInt32());
        AssertMatches("depth4_block_chunks2", backbone, ParameterGroups.FuseParamsGroups(backbone));
    }

    [Theory]
    [InlineData("blocks.3.attn.qkv.weight", 1.0)]
    [InlineData("backbone.blocks.2.attn.qkv.weight", 0.9)]
    [InlineData("backbone.cls_token", 0.6561)]
    [InlineData("backbone.norm.weight", 1.0)]
    public void A_prefixed_backbone_name_is_recognised_without_forcing(string name, double expected) =>
        Assert.Equal(expected, ParameterGroups.GetVitLrDecayRate(name, 0.9, 3, forceIsBackbone: false, chunkedBlocks: false), 1e-12);

    private static VitConfig Architecture(string variant)
    {
        var arch = Groups.GetProperty(variant).GetProperty("arch");
        return new VitConfig
        {
            EmbedDim = arch.GetProperty("embed_dim").GetInt32(),
            Depth = arch.GetProperty("depth").GetInt32(),
            NumHeads = arch.GetProperty("num_heads").GetInt32(),
            PatchSize = arch.GetProperty("patch_size").GetInt32(),
            ImgSize = arch.GetProperty("img_size").GetInt32(),
            NumRegisters = arch.TryGetProperty("num_register_tokens", out var registers) ? registers.GetInt32() : 0,
        };
    }

    private static void AssertMatches(string variant, IReadOnlyList<ParameterSettings> backbone, IReadOnlyList<FusedParameterGroup> backboneGroups)
    {
        var expected = Groups.GetProperty(variant);
        using var dinoHead = new DinoHead(24, 16, hiddenDim: 8, bottleneckDim: 8);
        using var ibotHead = new DinoHead(24, 12, hiddenDim: 8, bottleneckDim: 8);
        var submodules = new (string Name, IReadOnlyList<ParameterSettings> Settings, IReadOnlyList<FusedParameterGroup> Fused)[]
        {
            ("backbone", backbone, backboneGroups),
            ("dino_head", ParameterGroups.GetParamsGroupsWithDecay(dinoHead.named_parameters(), 0, false, 0.9, 0.2), ParameterGroups.ForSubmodel(dinoHead)),
            ("ibot_head", ParameterGroups.GetParamsGroupsWithDecay(ibotHead.named_parameters(), 0, false, 0.9, 0.2), ParameterGroups.ForSubmodel(ibotHead)),
        };

        foreach (var (name, settings, _) in submodules)
        {
            var official = expected.GetProperty("per_parameter").GetProperty(name).EnumerateObject().ToArray();
            Assert.Equal(official.Select(p => p.Name), settings.Select(s => s.Name));
            foreach (var (o, s) in official.Zip(settings))
                AssertSettings(o.Value, s.LrMultiplier, s.WdMultiplier, s.IsLastLayer, s.Name);
        }

        var fused = submodules.SelectMany(m => m.Fused.Select(g => (Prefix: m.Name + ".", Group: g))).ToArray();
        var officialFused = expected.GetProperty("fused_groups_in_optimizer_order").EnumerateArray().ToArray();
        Assert.Equal(officialFused.Length, fused.Length);
        foreach (var (o, (prefix, group)) in officialFused.Zip(fused))
        {
            AssertSettings(o, group.LrMultiplier, group.WdMultiplier, group.IsLastLayer, string.Join(",", group.Names));
            Assert.Equal(o.GetProperty("params").EnumerateArray().Select(p => p.GetString()), group.Names.Select(n => prefix + n));
            Assert.Equal(group.Names.Count, group.Parameters.Count);
        }
    }

    private static void AssertSettings(JsonElement official, double lrMultiplier, double wdMultiplier, bool isLastLayer, string what)
    {
        Tolerance.Relative(official.GetProperty("lr_multiplier").GetDouble(), lrMultiplier, 1e-12, $"{what} lr_multiplier");
        Assert.Equal(official.GetProperty("wd_multiplier").GetDouble(), wdMultiplier);
        Assert.Equal(official.GetProperty("is_last_layer").GetBoolean(), isLastLayer);
    }
}
