using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Engine.Inference;

/// <summary>What the scheduler's executor needs from a model: an image's token cost, and one forward over a batch.</summary>
public interface IBatchEmbedder
{
    /// <summary>Tokens the model sees for an image of this size.</summary>
    int TokenCount(int height, int width);

    /// <summary>One forward; each image is pooled with its own options.</summary>
    IReadOnlyList<ImageEmbedding> Embed(IReadOnlyList<PreprocessedImage> images, IReadOnlyList<EmbedOptions> options);
}
