using System.ComponentModel.DataAnnotations;
using EmbeddingService.Engine.Inference;

namespace EmbeddingService.Api.Embedding;

/// <summary>Configuration section "Model": which weights to serve and where to run them.</summary>
public sealed class ModelOptions
{
    public const string Section = "Model";

    /// <summary>Checkpoint path (.pth, .safetensors, Hugging Face folder) or random:SEED.</summary>
    [Required]
    public string Weights { get; set; } = "random:0";

    /// <summary>Architecture for random weights (vits14 when empty); checked against checkpoints when set.</summary>
    public string? Architecture { get; set; }

    [Range(1, 256)]
    public int? Heads { get; set; }

    [Required]
    public string Device { get; set; } = "auto";

    [Required]
    public string Precision { get; set; } = "fp32";

    /// <summary>CPU linear layers of the torch backend on onednn (default) or libtorch (its MKL GEMM).</summary>
    [Required]
    public string LinearKernel { get; set; } = "onednn";

    /// <summary>What runs served forwards: auto (onnxruntime for CPU fp32 models whose graph agrees with the network at load, torch otherwise), torch or onnxruntime.</summary>
    [Required]
    public string Backend { get; set; } = "auto";

    /// <summary>What to load; throws <see cref="ArgumentException"/> for a value that can be refused without loading.</summary>
    public ModelLoadRequest LoadRequest()
    {
        var request = new ModelLoadRequest { Weights = Weights, Architecture = string.IsNullOrWhiteSpace(Architecture) ? null : Architecture, Heads = Heads, Device = Device, Precision = Precision, LinearKernel = LinearKernel, Backend = Backend };
        request.Validate();
        return request;
    }
}
