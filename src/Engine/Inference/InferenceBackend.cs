namespace EmbeddingService.Engine.Inference;

/// <summary>
/// What runs a served model's forward. ONNX Runtime (CPU, fp32) runs a graph built at load from the network's own
/// weights and checked against it; TorchSharp runs everything else (CUDA, half precision, masked and training forwards).
/// </summary>
public enum InferenceBackend
{
    Torch,
    Onnxruntime,
}
