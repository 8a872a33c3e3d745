using EmbeddingService.Engine.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Optimization;

/// <summary>
/// Optimiser groups of one student submodule (dinov2 utils/param_groups.py, as SSLMetaArch.get_params_groups calls it):
/// layer-wise lr decay over the backbone's blocks, a smaller lr for the patch embedding, no weight decay on biases,
/// norms and LayerScale, and the heads' last layers flagged for their own (frozen at first) lr.
/// </summary>
public static class ParameterGroups
{
    private static readonly string[] EmbeddingNames = ["pos_embed", "patch_embed", "mask_token", "cls_token", "register_tokens"];

    /// <summary>The fused groups of a student submodule: a <see cref="DinoVisionTransformer"/> gets the layer-wise decay over its depth, any other module (a head) multiplier 1.</summary>
    public static IReadOnlyList<FusedParameterGroup> ForSubmodel(nn.Module submodel, double layerwiseDecay = 0.9, double patchEmbedLrMult = 0.2) =>
        FuseParamsGroups(SettingsOf(submodel, layerwiseDecay, patchEmbedLrMult));

    /// <summary>
    /// Settings of every trainable parameter of a student submodule, as <see cref="ForSubmodel"/> groups them; with
    /// <paramref name="blockChunks"/> &gt; 0 a backbone's blocks carry the official chunked (FSDP) names <c>blocks.&lt;chunk&gt;.&lt;i&gt;.*</c>.
    /// </summary>
    public static IReadOnlyList<ParameterSettings> SettingsOf(nn.Module submodel, double layerwiseDecay = 0.9, double patchEmbedLrMult = 0.2, int blockChunks = 0)
    {
        var nBlocks = submodel is DinoVisionTransformer vit ? vit.Config.Depth : 0;
        var chunked = nBlocks > 0 && blockChunks > 0;
        var named = submodel.named_parameters();
        if (chunked)
        {
            // Official BlockChunks keep the global block index (earlier slots are Identity padding).
            var perChunk = nBlocks / blockChunks;
            named = named.Select(p => (ChunkedName(p.name, perChunk), p.parameter));
        }
        return GetParamsGroupsWithDecay(named, nBlocks, chunked, layerwiseDecay, patchEmbedLrMult);
    }

    /// <summary>
    /// Settings of every trainable parameter of a submodule, names relative to it; <paramref name="nBlocks"/> is the
    /// backbone depth (0 for a head), <paramref name="chunkedBlocks"/> whether block names are <c>blocks.chunk.i.*</c>.
    /// </summary>
    public static IReadOnlyList<ParameterSettings> GetParamsGroupsWithDecay(IEnumerable<(string name, Parameter parameter)> namedParameters,
        int nBlocks, bool chunkedBlocks, double lrDecayRate = 1.0, double patchEmbedLrMult = 1.0)
    {
        var settings = new List<ParameterSettings>();
        foreach (var (name, parameter) in namedParameters)
        {
            if (!parameter.requires_grad) continue;
            var lrMultiplier = GetVitLrDecayRate(name, lrDecayRate, nBlocks, forceIsBackbone: nBlocks > 0, chunkedBlocks);
            if (name.Contains("patch_embed", StringComparison.Ordinal)) lrMultiplier *= patchEmbedLrMult;
            var noDecay = name.EndsWith(".bias", StringComparison.Ordinal) || name.Contains("norm", StringComparison.Ordinal) || name.Contains("gamma", StringComparison.Ordinal);
            settings.Add(new ParameterSettings(name, parameter, lrMultiplier, noDecay ? 0.0 : 1.0, name.Contains("last_layer", StringComparison.Ordinal)));
        }
        return settings;
    }

    /// <summary>
    /// lr_decay_rate^(num_layers + 1 − layer_id): layer 0 for the embeddings and tokens, i + 1 for block i, num_layers + 1
    /// for the rest (the final norm; and every parameter of a module that is not a backbone).
    /// </summary>
    public static double GetVitLrDecayRate(string name, double lrDecayRate, int numLayers, bool forceIsBackbone, bool chunkedBlocks)
    {
        var layerId = numLayers + 1;
        if (name.StartsWith("backbone", StringComparison.Ordinal) || forceIsBackbone)
        {
            // Within a backbone module names have no leading "backbone.", so the embeddings match without a dot.
            if (EmbeddingNames.Any(e => name.Contains(forceIsBackbone ? e : "." + e, StringComparison.Ordinal)))
                layerId = 0;
            else if (BlockIndex(name, chunkedBlocks) is { } block)
                layerId = block + 1;
        }
        return Math.Pow(lrDecayRate, numLayers + 1 - layerId);
    }

    /// <summary>One group per distinct (lr multiplier, wd multiplier, last layer), in order of first appearance.</summary>
    public static IReadOnlyList<FusedParameterGroup> FuseParamsGroups(IEnumerable<ParameterSettings> settings) =>
        settings
            .GroupBy(s => (s.LrMultiplier, s.WdMultiplier, s.IsLastLayer))
            .Select(g => new FusedParameterGroup(g.Key.LrMultiplier, g.Key.WdMultiplier, g.Key.IsLastLayer,
                g.Select(s => s.Name).ToArray(), g.Select(s => s.Parameter).ToArray()))
            .ToArray();

    /// <summary>i of <c>[prefix.]blocks.i.*</c>, or of <c>blocks.chunk.i.*</c> when chunked; null outside the blocks.</summary>
    private static int? BlockIndex(string name, bool chunkedBlocks)
    {
        var dotted = name.IndexOf(".blocks.", StringComparison.Ordinal);
        // As official, a prefixed name is read at the first index after "blocks.", chunked or not.
        if (dotted >= 0 && !name.Contains(".residual.", StringComparison.Ordinal)) return IndexAt(name[(dotted + 1)..], 1);
        if (name.Contains("residual.", StringComparison.Ordinal)) return null;
        var start = name.IndexOf("blocks.", StringComparison.Ordinal);
        return start < 0 ? null : IndexAt(name[start..], chunkedBlocks ? 2 : 1);
    }

    /// <summary><c>blocks.i.*</c> as <c>blocks.&lt;i / perChunk&gt;.i.*</c>; other names unchanged.</summary>
    private static string ChunkedName(string name, int perChunk)
    {
        const string Blocks = "blocks.";
        return name.StartsWith(Blocks, StringComparison.Ordinal)
            ? $"{Blocks}{IndexAt(name, 1) / perChunk}.{name[Blocks.Length..]}"
            : name;
    }

    private static int IndexAt(string dottedName, int part) =>
        int.Parse(dottedName.Split('.')[part], System.Globalization.CultureInfo.InvariantCulture);
}
