using EmbeddingService.Engine.Imaging;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Inference;

/// <summary>
/// Runs a packed forward over preprocessed images of any sizes and pools each into an embedding.
/// Every tensor lives in a dispose scope on the calling thread (TorchSharp's scopes are per thread).
/// </summary>
public sealed class ImageEmbedder(LoadedModel model)
{
    public LoadedModel Model { get; } = model;

    public IReadOnlyList<ImageEmbedding> Embed(IReadOnlyList<PreprocessedImage> images, EmbedOptions options)
    {
        if (images.Count == 0) return [];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var target = Model.Target;
        var inputs = images.Select(i => tensor(i.Chw, [3, i.Height, i.Width]).to(target.DType, target.Device)).ToArray();
        using var features = Model.Network.ForwardPacked(inputs);
        using var pooled = EmbeddingPooler.Pool(features, options.Pooling, options.Normalize).cpu();
        var width = (int)pooled.shape[1];
        var flat = pooled.data<float>().ToArray();
        var results = new ImageEmbedding[images.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var sequence = features.Sequences[i];
            float[]? patches = null;
            if (options.IncludePatchFeatures)
            {
                using var patchTensor = features.Patches(i).to(float32).cpu().contiguous();
                patches = patchTensor.data<float>().ToArray();
            }
            results[i] = new ImageEmbedding(flat.AsSpan(i * width, width).ToArray(), sequence.GridHeight, sequence.GridWidth, (int)sequence.Length, patches);
        }
        return results;
    }
}
