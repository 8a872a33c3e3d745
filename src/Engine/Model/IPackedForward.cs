using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>What computes the features of a batch of images of any sizes: the TorchSharp network or an ONNX Runtime session built from it.</summary>
public interface IPackedForward
{
    /// <summary>One forward over images ([C, H, W] each, sides multiples of the patch size); equal to forwarding each alone.</summary>
    PackedFeatures ForwardPacked(IReadOnlyList<Tensor> images, IReadOnlyList<Tensor?>? masks = null, BatchLayout layout = BatchLayout.Packed);
}
