namespace EmbeddingService.Engine.Inference;

/// <summary>How to turn features into embeddings.</summary>
public sealed record EmbedOptions
{
    public Pooling Pooling { get; init; } = Pooling.Cls;
    public bool Normalize { get; init; } = true;
    /// <summary>Also return the normalised patch tokens (x_norm_patchtokens) of each image.</summary>
    public bool IncludePatchFeatures { get; init; }
}
