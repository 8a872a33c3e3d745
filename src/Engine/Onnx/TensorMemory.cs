using static TorchSharp.torch;

namespace EmbeddingService.Engine.Onnx;

/// <summary>The native memory of a contiguous CPU float32 tensor, for handing to ONNX Runtime and protobuf without a copy.</summary>
internal static class TensorMemory
{
    public static nint Address(Tensor tensor)
    {
        if (tensor.dtype != float32 || !tensor.is_contiguous() || tensor.device_type != TorchSharp.DeviceType.CPU)
            throw new ArgumentException("only contiguous CPU float32 tensors can be read in place");
        using var storage = tensor.storage<float>();
        return storage.data_ptr() + (nint)(tensor.storage_offset() * sizeof(float));
    }

    public static long Bytes(Tensor tensor) => tensor.numel() * sizeof(float);

    public static unsafe ReadOnlySpan<byte> AsBytes(Tensor tensor) => new((void*)Address(tensor), checked((int)Bytes(tensor)));
}
