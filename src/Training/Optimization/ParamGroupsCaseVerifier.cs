using System.Text.Json;
using EmbeddingService.Engine.Model;
using EmbeddingService.Training.Heads;
using EmbeddingService.Training.Verification;
using static TorchSharp.torch;
using static EmbeddingService.Training.Verification.ManifestReader;

namespace EmbeddingService.Training.Optimization;

/// <summary>
/// Case <c>param_groups</c>: for every student variant, the settings of each parameter of its backbone, DINO head and
/// iBOT head (called per submodule as SSLMetaArch.get_params_groups does, with the manifest's layer-wise decay and patch
/// embedding multiplier) and the fused groups in optimiser order, in the layout of <c>param_groups.json</c>.
/// </summary>
public sealed class ParamGroupsCaseVerifier : ICaseVerifier
{
    private const string FileName = "param_groups.json";

    public string Kind => "param_groups";

    public void Verify(CaseFolder folder, CaseOutput output)
    {
        var defaults = At(folder.Manifest, "official_defaults_used");
        var (layerwiseDecay, patchEmbedLrMult) = (Double(defaults, "layerwise_decay"), Double(defaults, "patch_embed_lr_mult"));
        // The manifest does not describe the students: the case's param_groups.json records each variant's arch beside
        // its groups, and only that arch is read from it.
        using var recorded = JsonDocument.Parse(File.ReadAllText(folder.PathOf(FileName)));
        var variants = recorded.RootElement.EnumerateObject().ToDictionary(
            v => v.Name, v => Groups(At(v.Value, "arch"), layerwiseDecay, patchEmbedLrMult));
        output.WriteJson(FileName, variants);
    }

    private static object Groups(JsonElement arch, double layerwiseDecay, double patchEmbedLrMult)
    {
        var embedDim = Int(arch, "embed_dim");
        using var backbone = new DinoVisionTransformer(Vit(arch));
        // Widths change no parameter name or multiplier; the heads have the official three MLP layers.
        using var dinoHead = new DinoHead(embedDim, 1, hiddenDim: 1, bottleneckDim: 1);
        using var ibotHead = new DinoHead(embedDim, 1, hiddenDim: 1, bottleneckDim: 1);
        var submodules = new (string Name, nn.Module Module, int BlockChunks)[]
        {
            ("backbone", backbone, IntOr(arch, 0, "block_chunks")), ("dino_head", dinoHead, 0), ("ibot_head", ibotHead, 0),
        };

        var perParameter = new Dictionary<string, Dictionary<string, object>>();
        var fused = new List<object>();
        foreach (var (name, module, blockChunks) in submodules)
        {
            var settings = ParameterGroups.SettingsOf(module, layerwiseDecay, patchEmbedLrMult, blockChunks);
            perParameter[name] = settings.ToDictionary(s => s.Name, s => (object)new
            {
                lr_multiplier = s.LrMultiplier, wd_multiplier = s.WdMultiplier, is_last_layer = s.IsLastLayer,
            });
            // build_optimizer passes the groups with foreach=True.
            fused.AddRange(ParameterGroups.FuseParamsGroups(settings).Select(g => new
            {
                lr_multiplier = g.LrMultiplier, wd_multiplier = g.WdMultiplier, is_last_layer = g.IsLastLayer, @foreach = true,
                @params = g.Names.Select(n => $"{name}.{n}").ToArray(),
            }));
        }
        return new { arch, per_parameter = perParameter, fused_groups_in_optimizer_order = fused };
    }
}
