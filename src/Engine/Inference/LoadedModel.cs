using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Onnx;

namespace EmbeddingService.Engine.Inference;

/// <summary>
/// A model in eval mode on its compute target, with its description, the backend its served forwards run on
/// (<see cref="Forward"/>) and, for the TorchSharp backend, the linear kernel they use.
/// </summary>
public sealed class LoadedModel(DinoVisionTransformer network, ModelDescriptor descriptor, ComputeTarget target, LinearKernel linearKernel = LinearKernel.Libtorch, OnnxRuntimeBackbone? onnxRuntime = null) : IDisposable
{
    /// <summary>The TorchSharp network: the weights, position embeddings, and every forward the backend does not run.</summary>
    public DinoVisionTransformer Network { get; } = network;
    public ModelDescriptor Descriptor { get; } = descriptor;
    public ComputeTarget Target { get; } = target;
    /// <summary>What runs the linear layers of TorchSharp forwards: oneDNN only where it was asked for and checked at load.</summary>
    public LinearKernel LinearKernel { get; } = linearKernel;
    public InferenceBackend Backend { get; } = onnxRuntime is null ? InferenceBackend.Torch : InferenceBackend.Onnxruntime;
    /// <summary>The packed forward of served batches.</summary>
    public IPackedForward Forward { get; } = (IPackedForward?)onnxRuntime ?? network;

    public void Dispose()
    {
        onnxRuntime?.Dispose();
        Network.Dispose();
    }
}
