using EmbeddingService.Engine.Model;

namespace EmbeddingService.Engine.Inference;

/// <summary>A model in eval mode on its compute target, with its description and the linear kernel its forwards use.</summary>
public sealed class LoadedModel(DinoVisionTransformer network, ModelDescriptor descriptor, ComputeTarget target, LinearKernel linearKernel = LinearKernel.Libtorch) : IDisposable
{
    public DinoVisionTransformer Network { get; } = network;
    public ModelDescriptor Descriptor { get; } = descriptor;
    public ComputeTarget Target { get; } = target;
    /// <summary>What runs the linear layers: oneDNN only where it was asked for and checked at load.</summary>
    public LinearKernel LinearKernel { get; } = linearKernel;

    public void Dispose() => Network.Dispose();
}
