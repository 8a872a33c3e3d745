namespace EmbeddingService.Engine.Inference;

/// <summary>How an image's tokens become one embedding.</summary>
public enum Pooling
{
    /// <summary>The normalised cls token (x_norm_clstoken), the default.</summary>
    Cls,
    /// <summary>Mean of the normalised patch tokens.</summary>
    Mean,
    /// <summary>cls and patch mean concatenated (the paper's linear-probe feature), twice the width.</summary>
    ClsMean,
}
