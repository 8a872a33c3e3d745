using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Model;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Inference;

/// <summary>
/// Runs a packed forward over preprocessed images of any sizes and pools each into an embedding.
/// Every tensor lives in a dispose scope on the calling thread (TorchSharp's scopes are per thread).
/// <paramref name="layout"/> Padded is only for comparing against the usual padded batching (it runs on the TorchSharp
/// network whatever the model's backend).
/// </summary>
public sealed class ImageEmbedder(LoadedModel model, BatchLayout layout = BatchLayout.Packed) : IBatchEmbedder
{
    public LoadedModel Model { get; } = model;

    public BatchLayout Layout { get; } = layout;

    /// <summary>Tokens the model sees for an image of this size: cls, registers, patches.</summary>
    public int TokenCount(int height, int width) =>
        1 + Model.Network.Config.NumRegisters + height / Model.Network.Config.PatchSize * (width / Model.Network.Config.PatchSize);

    public IReadOnlyList<ImageEmbedding> Embed(IReadOnlyList<PreprocessedImage> images, EmbedOptions options) =>
        Embed(images, Enumerable.Repeat(options, images.Count).ToArray());

    /// <summary>One packed forward; each image is pooled with its own options.</summary>
    public IReadOnlyList<ImageEmbedding> Embed(IReadOnlyList<PreprocessedImage> images, IReadOnlyList<EmbedOptions> options)
    {
        if (images.Count != options.Count) throw new ArgumentException($"{options.Count} options for {images.Count} images", nameof(options));
        if (images.Count == 0) return [];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var target = Model.Target;
        var inputs = images.Select(i => tensor(i.Chw, [3, i.Height, i.Width]).to(target.DType, target.Device)).ToArray();
        // Padding is only there to be compared with packing, which is the TorchSharp network's to do either way.
        var forward = Layout == BatchLayout.Padded ? Model.Network : Model.Forward;
        using var features = forward.ForwardPacked(inputs, layout: Layout);
        var results = new ImageEmbedding[images.Count];
        for (var i = 0; i < results.Length; i++)
        {
            using var pooled = EmbeddingPooler.Pool(features, i, options[i].Pooling, options[i].Normalize).cpu();
            float[]? patches = null;
            if (options[i].IncludePatchFeatures)
            {
                using var patchTensor = features.Patches(i).to(float32).cpu().contiguous();
                patches = patchTensor.data<float>().ToArray();
            }
            var sequence = features.Sequences[i];
            results[i] = new ImageEmbedding(pooled.data<float>().ToArray(), sequence.GridHeight, sequence.GridWidth, (int)sequence.Length, patches);
        }
        return results;
    }
}
