using System.CommandLine;
using EmbeddingService.Engine.Inference;

namespace EmbeddingService.Cli.Commands;

/// <summary>The options every model-running command shares, and the load request they make.</summary>
public sealed class ModelOptions
{
    private readonly Option<string> _weights = new("--weights")
    {
        Description = "Checkpoint (.pth, .safetensors, Hugging Face model folder) or random:SEED",
        DefaultValueFactory = _ => "random:0",
    };
    private readonly Option<string?> _arch = new("--arch")
    {
        Description = "Architecture (vits14, vitb14, vitl14, vitg14, each also *_reg); required meaning for random weights (default vits14), checked against checkpoints",
    };
    private readonly Option<int?> _heads = new("--heads") { Description = "Attention heads, for checkpoints whose width is not an official one" };
    private readonly Option<string> _device = new("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
    private readonly Option<string> _precision = new("--precision") { Description = "fp32; bf16 on CUDA or a CPU with avx512_bf16/amx_bf16; fp16 on CUDA", DefaultValueFactory = _ => "fp32" };
    private readonly Option<string> _linearKernel = new("--linear-kernel") { Description = "CPU linear layers of the torch backend on onednn (default) or libtorch (its MKL GEMM)", DefaultValueFactory = _ => "onednn" };
    private readonly Option<string> _backend = new("--backend") { Description = "What runs the forward: auto (onnxruntime for CPU fp32 models, checked at load; torch otherwise), torch or onnxruntime", DefaultValueFactory = _ => "auto" };

    public ModelOptions AddTo(Command command)
    {
        command.Options.Add(_weights);
        command.Options.Add(_arch);
        command.Options.Add(_heads);
        command.Options.Add(_device);
        command.Options.Add(_precision);
        command.Options.Add(_linearKernel);
        command.Options.Add(_backend);
        return this;
    }

    /// <summary>The load request; throws <see cref="ArgumentException"/> for malformed values before anything is loaded.</summary>
    public ModelLoadRequest Request(ParseResult result)
    {
        var request = new ModelLoadRequest
        {
            Weights = result.GetValue(_weights)!,
            Architecture = result.GetValue(_arch),
            Heads = result.GetValue(_heads),
            Device = result.GetValue(_device)!,
            Precision = result.GetValue(_precision)!,
            LinearKernel = result.GetValue(_linearKernel)!,
            Backend = result.GetValue(_backend)!,
        };
        request.Validate();
        return request;
    }
}
