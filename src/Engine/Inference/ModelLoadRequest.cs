using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Text;

namespace EmbeddingService.Engine.Inference;

/// <summary>
/// What to load: <see cref="Weights"/> is a checkpoint path (.pth, .safetensors, or a Hugging Face model
/// folder) or <c>random:SEED</c>; <see cref="Architecture"/> names the variant for random weights
/// (default vits14) and, for checkpoints, is checked against what the tensors say; <see cref="Backend"/> picks what
/// runs served forwards.
/// </summary>
public sealed record ModelLoadRequest
{
    public const string RandomPrefix = "random:";

    public required string Weights { get; init; }
    public string? Architecture { get; init; }
    /// <summary>Attention heads, for checkpoints whose width is not an official one.</summary>
    public int? Heads { get; init; }
    public string Device { get; init; } = "auto";
    public string Precision { get; init; } = "fp32";
    /// <summary>
    /// <see cref="InferenceBackend"/> by name, or auto (the default): ONNX Runtime for CPU fp32 models that fit in one
    /// ONNX model and whose graph agrees with the network at load, TorchSharp otherwise.
    /// </summary>
    public string Backend { get; init; } = "auto";
    /// <summary><see cref="Inference.LinearKernel"/> by name: onednn (default) or libtorch; CPU only.</summary>
    public string LinearKernel { get; init; } = "onednn";

    /// <summary>Checks the values that need no file or device: random seed, architecture name, heads, precision, linear kernel, backend.</summary>
    public void Validate()
    {
        if (IsRandom) _ = RandomSeed;
        if (Architecture is not null && !VitArchitectures.TryGet(Architecture, out _))
            throw new ArgumentException($"unknown architecture '{Architecture}'; known: {string.Join(", ", VitArchitectures.Names)}");
        if (Heads is < 1) throw new ArgumentException($"heads must be positive, got {Heads}");
        ComputeTarget.ParsePrecision(Precision);
        _ = ParsedLinearKernel;
        _ = ParsedBackend;
    }

    /// <summary>The backend asked for; null is auto.</summary>
    public InferenceBackend? ParsedBackend => string.Equals(Backend.Trim(), "auto", StringComparison.OrdinalIgnoreCase)
        ? null
        : KebabCaseNames<InferenceBackend>.TryParse(Backend.Trim(), out var backend)
            ? backend
            : throw new ArgumentException($"unknown backend '{Backend}'; expected auto, {KebabCaseNames<InferenceBackend>.Expected}");

    public LinearKernel ParsedLinearKernel => KebabCaseNames<LinearKernel>.TryParse(LinearKernel, out var kernel)
        ? kernel
        : throw new ArgumentException($"unknown linear kernel '{LinearKernel}'; expected {KebabCaseNames<LinearKernel>.Expected}");

    public bool IsRandom => Weights.StartsWith(RandomPrefix, StringComparison.OrdinalIgnoreCase);

    public long RandomSeed => IsRandom && long.TryParse(Weights[RandomPrefix.Length..], out var seed) && seed >= 0
        ? seed
        : throw new ArgumentException($"bad random weights '{Weights}'; expected random:SEED with a non-negative integer seed");
}
