namespace EmbeddingService.Engine.Model;

/// <summary>Feed-forward layer of a transformer block.</summary>
public enum FfnKind
{
    /// <summary>Linear, exact GELU, Linear (hidden = mlp ratio × dim); parameters mlp.fc1, mlp.fc2.</summary>
    Mlp,

    /// <summary>SwiGLU with fused w12 then w3 (ViT-g); parameters mlp.w12, mlp.w3.</summary>
    SwiGlu,
}
