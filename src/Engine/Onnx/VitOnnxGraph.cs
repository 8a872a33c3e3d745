using EmbeddingService.Engine.Model;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Onnx;

/// <summary>
/// The DINOv2 backbone as an ONNX graph, built from a loaded network's own weights, for one batch of equally sized
/// images. Inputs: <c>pixels</c> [N, C, H, W], <c>positions</c> [1, P, D] (the position embedding of the patches,
/// interpolated for the grid by the network) and <c>prefix</c> [1, 1 + R, D] (cls + its position embedding, then the
/// registers). Outputs: <c>normed</c> and <c>prenorm</c>, [N, 1 + R + P, D].
/// At build time LayerScale is folded into the projection before it and the attention scale into the query weights.
/// Plain Add + LayerNormalization on purpose: ONNX Runtime 1.31's SkipLayerNormalization made the whole forward ~10%
/// slower on the CPU (measured, one thread, CPU time per image).
/// </summary>
internal static class VitOnnxGraph
{
    public const string Pixels = "pixels", Positions = "positions", Prefix = "prefix", Normed = "normed", Prenorm = "prenorm";

    public static byte[] Build(DinoVisionTransformer network)
    {
        // Checked before copying any weight: ViT-g's would fill gigabytes and then fail to serialise.
        if (WeightBytes(network) >= MaxModelBytes)
            throw new NotSupportedException($"the model's {WeightBytes(network) / 1048576} MiB of weights exceed what one serialised ONNX model holds ({MaxModelBytes / 1048576} MiB)");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var config = network.Config;
        var weights = network.state_dict();
        var graph = new OnnxGraphBuilder("dinov2");
        var x = Tokens(graph, config, weights);
        for (var b = 0; b < config.Depth; b++)
        {
            var prefix = $"blocks.{b}.";
            x = graph.Op("Add", [x, Attention(graph, config, weights, prefix, LayerNorm(graph, config, weights, x, $"{prefix}norm1"))]);
            x = graph.Op("Add", [x, Ffn(graph, config, weights, prefix, LayerNorm(graph, config, weights, x, $"{prefix}norm2"))]);
        }
        graph.Output(LayerNorm(graph, config, weights, x, "norm"), Normed, "n", "length", config.EmbedDim);
        graph.Output(x, Prenorm, "n", "length", config.EmbedDim);
        return graph.ToModelBytes();
    }

    /// <summary>Protobuf messages stop at 2 GiB; the graph itself needs a little of it.</summary>
    public const long MaxModelBytes = 2_000_000_000;

    /// <summary>Bytes of float32 weights a network would put in the graph, to decide before building it.</summary>
    public static long WeightBytes(DinoVisionTransformer network) =>
        network.parameters().Sum(parameter => parameter.numel()) * sizeof(float);

    /// <summary>prepare_tokens: patch embedding, position embedding, cls and registers → [N, 1 + R + P, D].</summary>
    private static string Tokens(OnnxGraphBuilder graph, VitConfig config, Dictionary<string, Tensor> weights)
    {
        graph.Input(Pixels, "n", config.InChannels, "height", "width");
        graph.Input(Positions, 1, "patches", config.EmbedDim);
        graph.Input(Prefix, 1, 1 + config.NumRegisters, config.EmbedDim);
        var patch = (long)config.PatchSize;
        var convolved = graph.Op("Conv",
            [Pixels, graph.Weight("patch_embed.proj.weight", weights["patch_embed.proj.weight"]), graph.Weight("patch_embed.proj.bias", weights["patch_embed.proj.bias"])],
            OnnxAttribute.Of("kernel_shape", patch, patch), OnnxAttribute.Of("strides", patch, patch));
        var flattened = graph.Op("Reshape", [convolved, graph.Int64s("patch_grid_shape", 0, config.EmbedDim, -1)]);
        var patches = graph.Op("Transpose", [flattened], OnnxAttribute.Of("perm", 0L, 2L, 1L));
        var positioned = graph.Op("Add", [patches, Positions]);
        var count = graph.Op("Slice", [graph.Op("Shape", [Pixels]), graph.Int64s("zero", 0), graph.Int64s("one", 1)]);
        var prefixShape = graph.Op("Concat", [count, graph.Int64s("prefix_tail", 1 + config.NumRegisters, config.EmbedDim)], OnnxAttribute.Of("axis", 0L));
        var prefixes = graph.Op("Expand", [Prefix, prefixShape]);
        return graph.Op("Concat", [prefixes, positioned], OnnxAttribute.Of("axis", 1L));
    }

    /// <summary>ls1(attn(x)): self-attention with LayerScale folded into the output projection.</summary>
    private static string Attention(OnnxGraphBuilder graph, VitConfig config, Dictionary<string, Tensor> weights, string prefix, string normed)
    {
        var (dim, heads, headDim) = ((long)config.EmbedDim, (long)config.NumHeads, (long)config.HeadDim);
        var qkvWeight = weights[$"{prefix}attn.qkv.weight"];
        var qkvBias = config.QkvBias ? weights[$"{prefix}attn.qkv.bias"] : null;
        using var scale = ScalarArithmetic.Full([1], Math.Pow(headDim, -0.5), float32);
        string Project(int part, string role, long[] permutation)
        {
            var weight = qkvWeight.narrow(0, part * dim, dim).t();
            var bias = qkvBias?.narrow(0, part * dim, dim);
            if (part == 0)
            {
                weight = weight.mul(scale);
                bias = bias?.mul(scale);
            }
            var projected = Linear(graph, normed, $"{prefix}attn.{role}", weight, bias);
            var split = graph.Op("Reshape", [projected, graph.Int64s($"{prefix}attn.{role}.heads", 0, 0, heads, headDim)]);
            return graph.Op("Transpose", [split], OnnxAttribute.Of("perm", permutation));
        }
        var query = Project(0, "q", [0, 2, 1, 3]);
        var keyTransposed = Project(1, "k", [0, 2, 3, 1]);
        var value = Project(2, "v", [0, 2, 1, 3]);
        var attention = graph.Op("Softmax", [graph.Op("MatMul", [query, keyTransposed])], OnnxAttribute.Of("axis", -1L));
        var perHead = graph.Op("MatMul", [attention, value]);
        var tokenMajor = graph.Op("Transpose", [perHead], OnnxAttribute.Of("perm", 0L, 2L, 1L, 3L));
        var merged = graph.Op("Reshape", [tokenMajor, graph.Int64s($"{prefix}attn.merge", 0, 0, dim)]);
        return ScaledLinear(graph, config, weights, merged, $"{prefix}attn.proj", $"{prefix}ls1.gamma", config.ProjBias);
    }

    /// <summary>ls2(ffn(x)): the MLP or SwiGLU with LayerScale folded into its last layer.</summary>
    private static string Ffn(OnnxGraphBuilder graph, VitConfig config, Dictionary<string, Tensor> weights, string prefix, string normed)
    {
        if (config.Ffn == FfnKind.SwiGlu)
        {
            var fused = Linear(graph, normed, $"{prefix}mlp.w12", weights[$"{prefix}mlp.w12.weight"].t(), config.FfnBias ? weights[$"{prefix}mlp.w12.bias"] : null);
            var halves = graph.Node("Split", "", [fused], 2, OnnxAttribute.Of("axis", -1L));
            var gate = graph.Op("Mul", [halves[0], graph.Op("Sigmoid", [halves[0]])]);
            return ScaledLinear(graph, config, weights, graph.Op("Mul", [gate, halves[1]]), $"{prefix}mlp.w3", $"{prefix}ls2.gamma", config.FfnBias);
        }
        var hidden = graph.Op("MatMul", [normed, graph.Weight($"{prefix}mlp.fc1.weight", weights[$"{prefix}mlp.fc1.weight"].t())]);
        // Both are the exact (erf) GELU.
        var activated = config.FfnBias
            ? graph.Node("BiasGelu", "com.microsoft", [hidden, graph.Weight($"{prefix}mlp.fc1.bias", weights[$"{prefix}mlp.fc1.bias"])], 1)[0]
            : graph.Node("Gelu", "com.microsoft", [hidden], 1)[0];
        return ScaledLinear(graph, config, weights, activated, $"{prefix}mlp.fc2", $"{prefix}ls2.gamma", config.FfnBias);
    }

    /// <summary>γ·(x·Wᵀ + b) as x·(Wᵀ·diag γ) + γ·b.</summary>
    private static string ScaledLinear(OnnxGraphBuilder graph, VitConfig config, Dictionary<string, Tensor> weights, string input, string layer, string gammaName, bool hasBias)
    {
        var weight = weights[$"{layer}.weight"].t();
        var bias = hasBias ? weights[$"{layer}.bias"] : null;
        if (config.LayerScale)
        {
            var gamma = weights[gammaName];
            weight = weight.mul(gamma);
            bias = bias?.mul(gamma);
        }
        return Linear(graph, input, layer, weight, bias);
    }

    /// <summary>x·W + b, with W already [in, out].</summary>
    private static string Linear(OnnxGraphBuilder graph, string input, string layer, Tensor weight, Tensor? bias)
    {
        var output = graph.Op("MatMul", [input, graph.Weight($"{layer}.weight", weight)]);
        return bias is null ? output : graph.Op("Add", [output, graph.Weight($"{layer}.bias", bias)]);
    }

    private static string LayerNorm(OnnxGraphBuilder graph, VitConfig config, Dictionary<string, Tensor> weights, string input, string norm) =>
        graph.Op("LayerNormalization", [input, graph.Weight($"{norm}.weight", weights[$"{norm}.weight"]), graph.Weight($"{norm}.bias", weights[$"{norm}.bias"])],
            OnnxAttribute.Of("epsilon", (float)config.LayerNormEps), OnnxAttribute.Of("axis", -1L));
}
