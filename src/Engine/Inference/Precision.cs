namespace EmbeddingService.Engine.Inference;

/// <summary>Compute dtype of the model. fp16 is offered on CUDA only, bf16 also on CPUs with native bfloat16.</summary>
public enum Precision
{
    Fp32,
    Fp16,
    Bf16,
}
