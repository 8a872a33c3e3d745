using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>
/// Seeded initialisation following the official DINOv2 init: normal(0.02) Linear weights and pos-embed (the
/// official trunc_normal_(std=0.02) truncates at ±2, a hundred deviations out, so it is this normal; TorchSharp
/// 0.107's nn.init.trunc_normal_ fills a constant and its nn.init functions ignore the generator, so the
/// tensors' own seeded samplers are used),
/// tiny normal cls/register tokens, zero biases and mask token, LayerNorm (1, 0), LayerScale at its init value,
/// and PyTorch's default uniform(±1/√fan_in) for the patch projection. Same seed, same weights.
/// </summary>
public static class RandomInitializer
{
    public static void Initialize(DinoVisionTransformer model, long seed)
    {
        using var noGrad = no_grad();
        using var generator = new Generator((ulong)seed);
        foreach (var (name, parameter) in model.named_parameters())
        {
            var leaf = name[(name.LastIndexOf('.') + 1)..];
            if (name is "pos_embed")
                parameter.normal_(0, 0.02, generator);
            else if (name is "cls_token" or "register_tokens")
                parameter.normal_(0, 1e-6, generator);
            else if (name is "mask_token")
                nn.init.zeros_(parameter);
            else if (leaf == "gamma")
            {
                using var value = model.Config.LayerScaleInit.ToScalar();
                parameter.fill_(value);
            }
            else if (name.StartsWith("patch_embed.", StringComparison.Ordinal))
            {
                var bound = 1.0 / Math.Sqrt(model.Config.InChannels * model.Config.PatchSize * model.Config.PatchSize);
                parameter.uniform_(-bound, bound, generator);
            }
            else if (name.Contains("norm", StringComparison.Ordinal) && leaf == "weight")
                nn.init.ones_(parameter);
            else if (leaf == "weight")
                parameter.normal_(0, 0.02, generator);
            else
                nn.init.zeros_(parameter);
        }
    }
}
