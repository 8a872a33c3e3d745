using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Checkpoints;

/// <summary>
/// Turns an official state dict into Hugging Face Dinov2Model keys (the inverse of the loader's table), written
/// independently of the loader so that the tests check the table rather than repeat it.
/// </summary>
internal static class HuggingFaceExport
{
    private static readonly (Regex Pattern, string Replacement)[] Rules =
    [
        (new(@"^cls_token$"), "embeddings.cls_token"),
        (new(@"^mask_token$"), "embeddings.mask_token"),
        (new(@"^register_tokens$"), "embeddings.register_tokens"),
        (new(@"^pos_embed$"), "embeddings.position_embeddings"),
        (new(@"^patch_embed\.proj\.(\w+)$"), "embeddings.patch_embeddings.projection.$1"),
        (new(@"^blocks\.(\d+)\.attn\.proj\.(\w+)$"), "encoder.layer.$1.attention.output.dense.$2"),
        (new(@"^blocks\.(\d+)\.ls1\.gamma$"), "encoder.layer.$1.layer_scale1.lambda1"),
        (new(@"^blocks\.(\d+)\.ls2\.gamma$"), "encoder.layer.$1.layer_scale2.lambda1"),
        (new(@"^blocks\.(\d+)\.mlp\.w12\.(\w+)$"), "encoder.layer.$1.mlp.weights_in.$2"),
        (new(@"^blocks\.(\d+)\.mlp\.w3\.(\w+)$"), "encoder.layer.$1.mlp.weights_out.$2"),
        (new(@"^blocks\.(\d+)\.(.+)$"), "encoder.layer.$1.$2"),
        (new(@"^norm\.(\w+)$"), "layernorm.$1"),
    ];

    private static readonly Regex Qkv = new(@"^blocks\.(\d+)\.attn\.qkv\.(\w+)$");

    /// <summary>New tensors under Hugging Face names, each key prefixed with <paramref name="prefix"/>.</summary>
    public static Dictionary<string, Tensor> From(IReadOnlyDictionary<string, Tensor> official, string prefix = "")
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (key, tensor) in official)
        {
            var qkv = Qkv.Match(key);
            if (qkv.Success)
            {
                var parts = tensor.chunk(3, 0);
                string[] names = ["query", "key", "value"];
                for (var i = 0; i < 3; i++)
                {
                    result[$"{prefix}encoder.layer.{qkv.Groups[1].Value}.attention.attention.{names[i]}.{qkv.Groups[2].Value}"] = parts[i].contiguous();
                    parts[i].Dispose();
                }
                continue;
            }
            var rule = Rules.First(r => r.Pattern.IsMatch(key));
            result[prefix + rule.Pattern.Replace(key, rule.Replacement)] = tensor.clone();
        }
        return result;
    }
}
