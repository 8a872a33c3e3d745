using EmbeddingService.Engine.Model;

namespace EmbeddingService.Engine.Inference;

/// <summary>A model in eval mode on its compute target, with its description.</summary>
public sealed class LoadedModel(DinoVisionTransformer network, ModelDescriptor descriptor, ComputeTarget target) : IDisposable
{
    public DinoVisionTransformer Network { get; } = network;
    public ModelDescriptor Descriptor { get; } = descriptor;
    public ComputeTarget Target { get; } = target;

    public void Dispose() => Network.Dispose();
}
