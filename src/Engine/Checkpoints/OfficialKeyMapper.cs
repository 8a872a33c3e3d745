using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>
/// Renames the keys of a state dict to those of the official facebookresearch/dinov2 DinoVisionTransformer.
/// Keys already official pass through unchanged; keys no rule knows also pass through, for the validator to report.
/// <code>
/// source key (N = block index, C = chunk index)         official key
/// ----------------------------------------------------- ------------------------------------------
/// blocks.C.N.*            (official, block_chunks > 0)  blocks.N.*   (N is already the global index)
/// dinov2.*                (Dinov2ForImageClassification) *           (then mapped as below)
/// classifier.*            (Dinov2ForImageClassification) dropped, with a note
/// embeddings.cls_token                                  cls_token                 [1,1,D]
/// embeddings.mask_token                                 mask_token                [1,D]
/// embeddings.register_tokens                            register_tokens           [1,R,D]
/// embeddings.position_embeddings                        pos_embed                 [1,1+G*G,D]
/// embeddings.patch_embeddings.projection.{weight,bias}  patch_embed.proj.{weight,bias}
/// encoder.layer.N.norm1.{weight,bias}                   blocks.N.norm1.{weight,bias}
/// encoder.layer.N.attention.attention.query.{w,b}   \
/// encoder.layer.N.attention.attention.key.{w,b}      >  blocks.N.attn.qkv.{weight,bias} (q,k,v concatenated on dim 0)
/// encoder.layer.N.attention.attention.value.{w,b}   /
/// encoder.layer.N.attention.output.dense.{weight,bias}  blocks.N.attn.proj.{weight,bias}
/// encoder.layer.N.layer_scale1.lambda1                  blocks.N.ls1.gamma
/// encoder.layer.N.norm2.{weight,bias}                   blocks.N.norm2.{weight,bias}
/// encoder.layer.N.mlp.fc1.{weight,bias}                 blocks.N.mlp.fc1.{weight,bias}
/// encoder.layer.N.mlp.fc2.{weight,bias}                 blocks.N.mlp.fc2.{weight,bias}
/// encoder.layer.N.mlp.weights_in.{weight,bias}          blocks.N.mlp.w12.{weight,bias}   (SwiGLU)
/// encoder.layer.N.mlp.weights_out.{weight,bias}         blocks.N.mlp.w3.{weight,bias}    (SwiGLU)
/// encoder.layer.N.layer_scale2.lambda1                  blocks.N.ls2.gamma
/// layernorm.{weight,bias}                               norm.{weight,bias}
/// </code>
/// </summary>
public static class OfficialKeyMapper
{
    private const string ClassificationPrefix = "dinov2.";
    private const string ClassifierHeadPrefix = "classifier.";

    private static readonly (Regex Pattern, string Replacement)[] RenameRules =
    [
        (new(@"^blocks\.\d+\.(\d+)\.(.+)$"), "blocks.$1.$2"),
        (new(@"^embeddings\.cls_token$"), "cls_token"),
        (new(@"^embeddings\.mask_token$"), "mask_token"),
        (new(@"^embeddings\.register_tokens$"), "register_tokens"),
        (new(@"^embeddings\.position_embeddings$"), "pos_embed"),
        (new(@"^embeddings\.patch_embeddings\.projection\.(weight|bias)$"), "patch_embed.proj.$1"),
        (new(@"^encoder\.layer\.(\d+)\.(norm1|norm2)\.(weight|bias)$"), "blocks.$1.$2.$3"),
        (new(@"^encoder\.layer\.(\d+)\.attention\.output\.dense\.(weight|bias)$"), "blocks.$1.attn.proj.$2"),
        (new(@"^encoder\.layer\.(\d+)\.layer_scale1\.lambda1$"), "blocks.$1.ls1.gamma"),
        (new(@"^encoder\.layer\.(\d+)\.layer_scale2\.lambda1$"), "blocks.$1.ls2.gamma"),
        (new(@"^encoder\.layer\.(\d+)\.mlp\.(fc1|fc2)\.(weight|bias)$"), "blocks.$1.mlp.$2.$3"),
        (new(@"^encoder\.layer\.(\d+)\.mlp\.weights_in\.(weight|bias)$"), "blocks.$1.mlp.w12.$2"),
        (new(@"^encoder\.layer\.(\d+)\.mlp\.weights_out\.(weight|bias)$"), "blocks.$1.mlp.w3.$2"),
        (new(@"^layernorm\.(weight|bias)$"), "norm.$1"),
    ];

    private static readonly Regex SplitAttentionKey = new(@"^encoder\.layer\.(\d+)\.attention\.attention\.(query|key|value)\.(weight|bias)$");
    private static readonly string[] QkvOrder = ["query", "key", "value"];

    /// <summary>
    /// Takes ownership of <paramref name="source"/>'s tensors: they end up in the result or are disposed
    /// (the classifier head, and query/key/value once concatenated).
    /// </summary>
    public static MappedStateDict ToOfficial(Dictionary<string, Tensor> source)
    {
        var notes = new List<string>();
        var mapped = new Dictionary<string, Tensor>();
        var splitAttention = new Dictionary<(string Block, string Part), Dictionary<string, Tensor>>();
        var sourceKeyOf = new Dictionary<string, string>();
        try
        {
            var droppedHead = new List<string>();
            foreach (var (originalKey, tensor) in source)
            {
                var key = originalKey.StartsWith(ClassificationPrefix, StringComparison.Ordinal) ? originalKey[ClassificationPrefix.Length..] : originalKey;
                if (key.StartsWith(ClassifierHeadPrefix, StringComparison.Ordinal))
                {
                    droppedHead.Add(originalKey);
                    tensor.Dispose();
                    continue;
                }
                var split = SplitAttentionKey.Match(key);
                if (split.Success)
                {
                    var slot = (split.Groups[1].Value, split.Groups[3].Value);
                    if (!splitAttention.TryGetValue(slot, out var parts)) splitAttention[slot] = parts = new Dictionary<string, Tensor>();
                    parts[split.Groups[2].Value] = tensor;
                    continue;
                }
                Add(mapped, sourceKeyOf, Rename(key), originalKey, tensor);
            }
            if (droppedHead.Count > 0)
                notes.Add($"Ignored the image-classification head ({string.Join(", ", droppedHead.Order(StringComparer.Ordinal))}); only the backbone is loaded.");

            var concatenated = 0;
            foreach (var ((block, part), parts) in splitAttention)
            {
                if (QkvOrder.All(parts.ContainsKey))
                {
                    concatenated++;
                    var qkv = cat(QkvOrder.Select(name => parts[name]).ToList(), 0);
                    foreach (var tensor in parts.Values) tensor.Dispose();
                    Add(mapped, sourceKeyOf, $"blocks.{block}.attn.qkv.{part}", $"encoder.layer.{block}.attention.attention.{{query,key,value}}.{part}", qkv);
                }
                else
                {
                    // Left under their own names so that validation reports both them and the missing qkv.
                    foreach (var (name, tensor) in parts)
                        Add(mapped, sourceKeyOf, $"encoder.layer.{block}.attention.attention.{name}.{part}", $"encoder.layer.{block}.attention.attention.{name}.{part}", tensor);
                }
            }
            if (concatenated > 0) notes.Add("Concatenated Hugging Face query/key/value projections into attn.qkv.");
        }
        catch
        {
            foreach (var tensor in mapped.Values.Concat(source.Values)) tensor.Dispose();
            throw;
        }
        return new MappedStateDict(mapped, notes);
    }

    /// <summary>The official name of one key, or the key itself when no rule applies.</summary>
    public static string Rename(string key)
    {
        foreach (var (pattern, replacement) in RenameRules)
        {
            if (pattern.IsMatch(key)) return pattern.Replace(key, replacement);
        }
        return key;
    }

    private static void Add(Dictionary<string, Tensor> mapped, Dictionary<string, string> sourceKeyOf, string key, string sourceKey, Tensor tensor)
    {
        if (!mapped.TryAdd(key, tensor))
        {
            tensor.Dispose();
            throw new CheckpointException($"Keys '{sourceKeyOf[key]}' and '{sourceKey}' both map to '{key}'; the checkpoint is ambiguous.");
        }
        sourceKeyOf[key] = sourceKey;
    }
}
