using EmbeddingService.Engine.Model;

namespace EmbeddingService.Cli.Benchmarks;

/// <summary>Forward FLOPs of one image from the shapes, counting 2 FLOPs per multiply-add.</summary>
public static class FlopCounter
{
    public static double ForwardFlops(VitConfig config, int height, int width)
    {
        double patches = height / config.PatchSize * (width / config.PatchSize);
        double tokens = 1 + config.NumRegisters + patches;
        double dim = config.EmbedDim;
        double hidden = config.FfnHiddenDim;
        var patchEmbed = patches * dim * config.InChannels * config.PatchSize * config.PatchSize;
        var qkv = tokens * dim * 3 * dim;
        var attention = 2 * tokens * tokens * dim; // q·kᵀ and attention·v over all heads
        var projection = tokens * dim * dim;
        var ffn = config.Ffn == FfnKind.SwiGlu
            ? tokens * dim * 2 * hidden + tokens * hidden * dim
            : 2 * tokens * dim * hidden;
        return 2 * (patchEmbed + config.Depth * (qkv + attention + projection + ffn));
    }
}
