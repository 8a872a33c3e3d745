using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>
/// Multi-head self-attention over packed sequences: the qkv and output projections run on all tokens
/// at once; attention runs per group of equal-length sequences (one scaled-dot-product call each).
/// </summary>
public sealed class Attention : nn.Module<Tensor, IReadOnlyList<SequenceGroup>, Tensor>
{
#pragma warning disable IDE1006 // field names follow the official state dict
    private readonly InferenceLinear qkv;
    private readonly InferenceLinear proj;
#pragma warning restore IDE1006
    private readonly long _dim;
    private readonly long _heads;

    public Attention(long dim, long heads, bool qkvBias = true, bool projBias = true) : base(nameof(Attention))
    {
        _dim = dim;
        _heads = heads;
        qkv = new InferenceLinear(dim, 3 * dim, qkvBias);
        proj = new InferenceLinear(dim, dim, projBias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor tokens, IReadOnlyList<SequenceGroup> groups)
    {
        using var projected = qkv.call(tokens);
        var perGroup = new Tensor[groups.Count];
        for (var g = 0; g < groups.Count; g++)
            perGroup[g] = AttendGroup(projected, groups[g]);
        using var attended = perGroup.Length == 1 ? perGroup[0] : cat(perGroup, 0);
        if (perGroup.Length > 1)
            foreach (var t in perGroup) t.Dispose();
        return proj.call(attended);
    }

    private Tensor AttendGroup(Tensor projected, SequenceGroup group)
    {
        var headDim = _dim / _heads;
        using var slice = projected.narrow(0, group.Offset, group.TokenCount);
        // [n·L, 3D] → [3, n, heads, L, head dim], the official qkv layout.
        using var split = slice.view(group.Count, group.Length, 3, _heads, headDim).permute(2, 0, 3, 1, 4);
        using var q = split[0];
        using var k = split[1];
        using var v = split[2];
        using var attended = nn.functional.scaled_dot_product_attention(q, k, v, group.KeyMask);
        using var tokenMajor = attended.transpose(1, 2);
        return tokenMajor.reshape(group.TokenCount, _dim);
    }
}
