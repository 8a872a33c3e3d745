using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Inference;

/// <summary>Builds a ready-to-run model (eval mode, on its device and dtype) from a checkpoint or random:SEED.</summary>
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
            var kernel = ChooseLinearKernel(network, target, request.ParsedLinearKernel);
            network.UseOneDnnLinears(kernel == LinearKernel.Onednn);
            return new LoadedModel(network, descriptor, target, kernel);
        }
        catch
        {
            network.Dispose();
            throw;
        }
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
