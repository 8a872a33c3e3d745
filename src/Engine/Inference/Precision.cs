namespace EmbeddingService.Engine.Inference;

/// <summary>Compute dtype of the model. Half precisions are only offered on CUDA.</summary>
public enum Precision
{
    Fp32,
    Fp16,
    Bf16,
}
