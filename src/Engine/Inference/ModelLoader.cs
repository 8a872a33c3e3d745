using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Onnx;
using EmbeddingService.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Inference;

/// <summary>Builds a ready-to-run model (eval mode, on its device and dtype, on its backend) from a checkpoint or random:SEED.</summary>
public static class ModelLoader
{
    public static LoadedModel Load(ModelLoadRequest request)
    {
        var target = ComputeTarget.Resolve(request.Device, request.Precision);
        var (network, descriptor) = request.IsRandom ? BuildRandom(request) : LoadCheckpoint(request);
        try
        {
            network.to(target.Device, target.DType);
            network.eval();
            var onnxRuntime = OpenOnnxRuntime(network, target, request.ParsedBackend);
            var kernel = onnxRuntime is null ? ChooseLinearKernel(network, target, request.ParsedLinearKernel) : LinearKernel.Libtorch;
            network.UseOneDnnLinears(kernel == LinearKernel.Onednn);
            return new LoadedModel(network, descriptor, target, kernel, onnxRuntime);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The ONNX Runtime backbone when asked for (an error where it cannot run the model) or, under auto, where it can:
    /// a CPU fp32 model small enough for one ONNX model, whose graph agrees with the network. Null means TorchSharp.
    /// </summary>
    private static OnnxRuntimeBackbone? OpenOnnxRuntime(DinoVisionTransformer network, ComputeTarget target, InferenceBackend? wanted)
    {
        if (wanted == InferenceBackend.Torch) return null;
        var required = wanted == InferenceBackend.Onnxruntime;
        if (target.Device.type != DeviceType.CPU || target.Precision != Precision.Fp32)
            return required ? throw new ArgumentException($"backend 'onnxruntime' runs CPU fp32 models; this one is {target.Describe()} (use backend torch or auto)") : null;
        if (!OnnxRuntimeBackbone.Fits(network))
            return required ? throw new ArgumentException($"backend 'onnxruntime' cannot hold this model: its {VitOnnxGraph.WeightBytes(network) / 1048576} MiB of weights exceed one ONNX model (use backend torch or auto)") : null;
        var backbone = OnnxRuntimeBackbone.Create(network, get_num_threads());
        var difference = BackboneAgreement.RelativeDifference(network, backbone);
        if (difference <= BackboneAgreement.RelativeBound) return backbone;
        backbone.Dispose();
        return required ? throw new InvalidOperationException($"the ONNX Runtime graph of this model disagrees with the TorchSharp network (relative difference {difference:E2}); use backend torch") : null;
    }

    /// <summary>oneDNN when asked for, on a CPU fp32 model, and only if it computes this model's linear shapes right.</summary>
    private static LinearKernel ChooseLinearKernel(DinoVisionTransformer network, ComputeTarget target, LinearKernel wanted) =>
        wanted == LinearKernel.Onednn && target.Device.type == DeviceType.CPU && target.Precision == Precision.Fp32
            && OneDnn.AgreesWithLibTorch(network.LinearShapes)
            ? LinearKernel.Onednn
            : LinearKernel.Libtorch;

    private static (DinoVisionTransformer, ModelDescriptor) BuildRandom(ModelLoadRequest request)
    {
        var seed = request.RandomSeed;
        var architecture = request.Architecture ?? "vits14";
        var config = VitArchitectures.Get(architecture);
        if (request.Heads is { } heads) config = config with { NumHeads = heads };
        var network = new DinoVisionTransformer(config);
        RandomInitializer.Initialize(network, seed);
        return (network, new ModelDescriptor(architecture.ToLowerInvariant(), config, $"random:{architecture.ToLowerInvariant()}:{seed}", $"random seed {seed}", IsRandom: true));
    }

    private static (DinoVisionTransformer, ModelDescriptor) LoadCheckpoint(ModelLoadRequest request)
    {
        using var checkpoint = CheckpointLoader.Load(request.Weights, new CheckpointLoadOptions { NumHeads = request.Heads });
        var architecture = VitArchitectures.NameOf(checkpoint.Config) ?? "custom";
        if (request.Architecture is { } wanted && !string.Equals(wanted, architecture, StringComparison.OrdinalIgnoreCase))
            throw new CheckpointException($"{request.Weights} holds a {architecture} model ({checkpoint.Config}), not the requested {wanted}");
        var network = new DinoVisionTransformer(checkpoint.Config);
        using (no_grad())
            network.load_state_dict(checkpoint.State, strict: true);
        return (network, new ModelDescriptor(architecture, checkpoint.Config, checkpoint.Fingerprint, checkpoint.Source, IsRandom: false));
    }
}
