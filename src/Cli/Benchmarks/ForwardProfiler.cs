using System.Diagnostics;
using EmbeddingService.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Cli.Benchmarks;

/// <summary>
/// Where a forward's time goes, per kind of operation, measured on the real modules with forward hooks
/// (CPU ops are synchronous, so wall time between a module's pre- and post-hook is its time). Times are
/// exclusive: attention is the attention module minus its two projections, block glue (residual adds) is a
/// block minus its sub-modules, and so on. Attach, run forwards, read <see cref="Report"/>, dispose.
/// </summary>
public sealed class ForwardProfiler : IDisposable
{
    private static readonly string[] Roles = ["patch_embed", "norm", "norm1", "norm2", "qkv", "attn", "proj", "ls1", "ls2", "fc1", "fc2", "w12", "w3", "mlp", "block"];

    private readonly List<Action> _removeHooks = [];
    private readonly Dictionary<nn.Module, long> _started = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, long> _ticks = Roles.ToDictionary(r => r, _ => 0L);

    public ForwardProfiler(DinoVisionTransformer model)
    {
        foreach (var (name, module) in model.named_modules())
        {
            if (RoleOf(name) is not { } role) continue;
            Action<nn.Module> start = m => _started[m] = Stopwatch.GetTimestamp();
            Action<nn.Module> stop = m => _ticks[role] += Stopwatch.GetTimestamp() - _started[m];
            switch (module)
            {
                case nn.Module<Tensor, Tensor> single:
                    _removeHooks.Add(single.register_forward_pre_hook(start).remove);
                    _removeHooks.Add(single.register_forward_hook(stop).remove);
                    break;
                case nn.Module<Tensor, IReadOnlyList<SequenceGroup>, Tensor> packed:
                    _removeHooks.Add(packed.register_forward_pre_hook(start).remove);
                    _removeHooks.Add(packed.register_forward_hook(stop).remove);
                    break;
            }
        }
    }

    /// <summary>Milliseconds per forward for each operation kind, given the number of forwards and their total time.</summary>
    public IReadOnlyDictionary<string, double> Report(int forwards, TimeSpan total)
    {
        double Ms(params string[] roles) => roles.Sum(r => _ticks[r]) * 1000.0 / Stopwatch.Frequency / forwards;
        var attention = Ms("attn") - Ms("qkv", "proj");
        var activation = Ms("mlp") - Ms("fc1", "fc2", "w12", "w3");
        var glue = Ms("block") - Ms("norm1", "norm2", "attn", "ls1", "ls2", "mlp");
        var outside = total.TotalMilliseconds / forwards - Ms("patch_embed", "block", "norm");
        return new Dictionary<string, double>
        {
            ["patch_embed"] = Ms("patch_embed"),
            ["layernorm"] = Ms("norm1", "norm2", "norm"),
            ["qkv_linear"] = Ms("qkv"),
            ["attention_sdpa"] = attention,
            ["proj_linear"] = Ms("proj"),
            ["ffn_linear_in"] = Ms("fc1", "w12"),
            ["ffn_activation"] = activation,
            ["ffn_linear_out"] = Ms("fc2", "w3"),
            ["layerscale"] = Ms("ls1", "ls2"),
            ["residual_and_block_glue"] = glue,
            ["tokens_pos_embed_packing"] = outside,
        };
    }

    public void Dispose()
    {
        foreach (var remove in _removeHooks) remove();
    }

    private static string? RoleOf(string name)
    {
        var parts = name.Split('.');
        if (parts is ["blocks", _]) return "block";
        var last = parts[^1];
        return parts.Length == 1 || parts[0] == "blocks" ? Roles.FirstOrDefault(r => r == last && r != "block") : null;
    }
}
