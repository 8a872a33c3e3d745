using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>Non-overlapping patch projection (<c>proj</c>: conv with kernel = stride = patch size).</summary>
public sealed class PatchEmbed : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names follow the official state dict
    private readonly Conv2d proj;
#pragma warning restore IDE1006

    public PatchEmbed(int patchSize, int inChannels, long dim) : base(nameof(PatchEmbed))
    {
        proj = nn.Conv2d(inChannels, dim, kernel_size: patchSize, stride: patchSize);
        RegisterComponents();
    }

    /// <summary>[N, C, H, W] → [N, (H/P)·(W/P), D], patches in row-major order.</summary>
    public override Tensor forward(Tensor images)
    {
        using var grid = proj.call(images);
        using var flat = grid.flatten(2);
        return flat.transpose(1, 2);
    }
}
