using System.Text.RegularExpressions;
using EmbeddingService.Engine.Model;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>Works out the <see cref="VitConfig"/> of an official-key state dict from the shapes of its tensors.</summary>
public static class ArchitectureInference
{
    private static readonly Regex BlockIndex = new(@"^blocks\.(\d+)\.");
    // SwiGLU checkpoints do not record the ratio; official SwiGLU models use 4 with the rounding in VitConfig,
    // and any other width is kept as an explicit hidden width.
    private const double SwiGluMlpRatio = 4.0;
    // Far above any real ViT (ViT-g has 40 blocks); keeps a corrupt index from producing a huge gap list.
    private const int MaxDepth = 1000;
    private const int MaxListedGaps = 10;

    public static VitConfig Infer(IReadOnlyDictionary<string, Tensor> state, CheckpointLoadOptions options)
    {
        var cls = Require(state, "cls_token", 3);
        var patch = Require(state, "patch_embed.proj.weight", 4);
        var pos = Require(state, "pos_embed", 3);

        var problems = new List<string>();
        var embedDim = (int)cls.shape[2];
        var patchSize = (int)patch.shape[2];
        if (patch.shape[3] != patchSize)
            problems.Add($"patch_embed.proj.weight has a non-square kernel {StateDictValidator.Format(patch.shape)}");

        var depth = InferDepth(state.Keys, problems);
        var imgSize = InferImgSize(pos.shape[1], patchSize, problems);
        var numRegisters = state.TryGetValue("register_tokens", out var registers) && registers.dim() == 3 ? (int)registers.shape[1] : 0;
        var ffn = state.ContainsKey("blocks.0.mlp.w12.weight") ? FfnKind.SwiGlu : FfnKind.Mlp;
        var mlpRatio = ffn == FfnKind.SwiGlu ? SwiGluMlpRatio : InferMlpRatio(state, embedDim, problems);

        var numHeads = options.NumHeads ?? VitArchitectures.HeadsForEmbedDim(embedDim);
        if (numHeads is null)
            problems.Add($"the number of attention heads cannot be inferred for embed dim {embedDim}, which no official model has: give the head count (embedctl --heads, Model:Heads, a spec's num_heads) or put num_heads in a JSON beside the weights (its name with .json, or config.json)");
        if (problems.Count > 0)
            throw new CheckpointException("Cannot infer the architecture of the checkpoint: " + string.Join("; ", problems) + ".");

        var config = new VitConfig
        {
            EmbedDim = embedDim,
            Depth = depth,
            NumHeads = numHeads!.Value,
            PatchSize = patchSize,
            ImgSize = imgSize,
            InChannels = (int)patch.shape[1],
            NumRegisters = numRegisters,
            Ffn = ffn,
            MlpRatio = mlpRatio,
            InterpolateOffset = options.InterpolateOffset ?? (numRegisters > 0 ? 0.0 : 0.1),
            InterpolateAntialias = options.InterpolateAntialias ?? numRegisters > 0,
            LayerNormEps = options.LayerNormEps ?? 1e-6,
            // Optional parts of the official model (init_values=None, qkv_bias/proj_bias/ffn_bias=False) show as absent keys.
            LayerScale = state.ContainsKey("blocks.0.ls1.gamma"),
            QkvBias = state.ContainsKey("blocks.0.attn.qkv.bias"),
            ProjBias = state.ContainsKey("blocks.0.attn.proj.bias"),
            FfnBias = state.ContainsKey(ffn == FfnKind.SwiGlu ? "blocks.0.mlp.w12.bias" : "blocks.0.mlp.fc1.bias"),
        };
        config = WithSwiGluWidth(state, config);
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException($"The inferred architecture is inconsistent: {e.Message}", e);
        }
        return config;
    }

    private static Tensor Require(IReadOnlyDictionary<string, Tensor> state, string key, int rank)
    {
        if (!state.TryGetValue(key, out var tensor))
            throw new CheckpointException($"Cannot infer the architecture: the checkpoint has no '{key}' (is it a DINOv2 backbone?).");
        if (tensor.dim() != rank)
            throw new CheckpointException($"Cannot infer the architecture: '{key}' has shape {StateDictValidator.Format(tensor.shape)}, expected rank {rank}.");
        return tensor;
    }

    private static int InferDepth(IEnumerable<string> keys, List<string> problems)
    {
        var indices = keys.Select(key => BlockIndex.Match(key)).Where(match => match.Success)
            .Select(match => int.TryParse(match.Groups[1].Value, out var index) && index < MaxDepth ? index : MaxDepth)
            .ToHashSet();
        if (indices.Count == 0)
        {
            problems.Add("the checkpoint has no blocks.N.* tensors");
            return 0;
        }
        if (indices.Contains(MaxDepth))
        {
            problems.Add($"block indices must be below {MaxDepth}");
            return 0;
        }
        var depth = indices.Max() + 1;
        var gaps = Enumerable.Range(0, depth).Where(index => !indices.Contains(index)).ToList();
        if (gaps.Count > 0)
            problems.Add($"block indices must run 0..{depth - 1} without gaps, but blocks {string.Join(", ", gaps.Take(MaxListedGaps))}{(gaps.Count > MaxListedGaps ? $" and {gaps.Count - MaxListedGaps} more" : "")} are missing");
        return depth;
    }

    private static int InferImgSize(long positions, int patchSize, List<string> problems)
    {
        var patches = positions - 1;
        var grid = (long)Math.Round(Math.Sqrt(patches));
        if (patches <= 0 || grid * grid != patches)
        {
            problems.Add($"pos_embed has {positions} positions; one class position plus a square grid was expected");
            return 0;
        }
        return (int)grid * patchSize;
    }

    private static double InferMlpRatio(IReadOnlyDictionary<string, Tensor> state, int embedDim, List<string> problems)
    {
        if (!state.TryGetValue("blocks.0.mlp.fc1.weight", out var fc1) || fc1.dim() != 2)
        {
            problems.Add("blocks.0 has neither mlp.fc1.weight (MLP) nor mlp.w12.weight (SwiGLU)");
            return 0;
        }
        var rows = fc1.shape[0];
        var ratio = (double)rows / embedDim;
        // VitConfig truncates embedDim * ratio; rounding in the division must not lose a row on the way back.
        return (int)(embedDim * ratio) < rows ? Math.BitIncrement(ratio) : ratio;
    }

    private static VitConfig WithSwiGluWidth(IReadOnlyDictionary<string, Tensor> state, VitConfig config)
    {
        if (config.Ffn != FfnKind.SwiGlu) return config;
        var rows = state["blocks.0.mlp.w12.weight"].shape[0];
        if (rows % 2 != 0)
            throw new CheckpointException($"blocks.0.mlp.w12.weight has {rows} rows; a fused SwiGLU layer has an even number (gate and value).");
        return rows == 2L * config.FfnHiddenDim ? config : config with { FfnHiddenDimOverride = (int)(rows / 2) };
    }
}
