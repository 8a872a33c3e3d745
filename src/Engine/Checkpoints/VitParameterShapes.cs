using EmbeddingService.Engine.Model;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>The official DINOv2 state-dict keys of an architecture and the shape of each tensor.</summary>
public static class VitParameterShapes
{
    public static IReadOnlyDictionary<string, long[]> For(VitConfig config)
    {
        long d = config.EmbedDim;
        long h = config.FfnHiddenDim;
        var shapes = new Dictionary<string, long[]>
        {
            ["cls_token"] = [1, 1, d],
            ["pos_embed"] = [1, 1 + config.NumBasePatches, d],
        };
        if (config.NumRegisters > 0) shapes["register_tokens"] = [1, config.NumRegisters, d];
        shapes["mask_token"] = [1, d];
        shapes["patch_embed.proj.weight"] = [d, config.InChannels, config.PatchSize, config.PatchSize];
        shapes["patch_embed.proj.bias"] = [d];
        for (var block = 0; block < config.Depth; block++)
        {
            var prefix = $"blocks.{block}.";
            shapes[prefix + "norm1.weight"] = [d];
            shapes[prefix + "norm1.bias"] = [d];
            shapes[prefix + "attn.qkv.weight"] = [3 * d, d];
            if (config.QkvBias) shapes[prefix + "attn.qkv.bias"] = [3 * d];
            shapes[prefix + "attn.proj.weight"] = [d, d];
            if (config.ProjBias) shapes[prefix + "attn.proj.bias"] = [d];
            if (config.LayerScale) shapes[prefix + "ls1.gamma"] = [d];
            shapes[prefix + "norm2.weight"] = [d];
            shapes[prefix + "norm2.bias"] = [d];
            if (config.Ffn == FfnKind.SwiGlu)
            {
                shapes[prefix + "mlp.w12.weight"] = [2 * h, d];
                if (config.FfnBias) shapes[prefix + "mlp.w12.bias"] = [2 * h];
                shapes[prefix + "mlp.w3.weight"] = [d, h];
                if (config.FfnBias) shapes[prefix + "mlp.w3.bias"] = [d];
            }
            else
            {
                shapes[prefix + "mlp.fc1.weight"] = [h, d];
                if (config.FfnBias) shapes[prefix + "mlp.fc1.bias"] = [h];
                shapes[prefix + "mlp.fc2.weight"] = [d, h];
                if (config.FfnBias) shapes[prefix + "mlp.fc2.bias"] = [d];
            }
            if (config.LayerScale) shapes[prefix + "ls2.gamma"] = [d];
        }
        shapes["norm.weight"] = [d];
        shapes["norm.bias"] = [d];
        return shapes;
    }
}
