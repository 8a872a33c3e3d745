namespace EmbeddingService.Engine.Inference;

/// <summary>
/// Which GEMM runs a model's linear layers when serving: oneDNN (the default; AVX-512 kernels also on AMD CPUs), used
/// for CPU fp32 models whose shapes pass its check at load (<see cref="Runtime.OneDnn.AgreesWithLibTorch"/>), or
/// libtorch's own (MKL on CPU), the fallback and the comparison. CUDA and half-precision models use libtorch's.
/// </summary>
public enum LinearKernel
{
    Onednn,
    Libtorch,
}
