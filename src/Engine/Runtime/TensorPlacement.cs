using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Runtime;

public static class TensorPlacement
{
    /// <summary>Whether <paramref name="tensor"/> lives on <paramref name="device"/> (the CPU, or that CUDA device).</summary>
    public static bool IsOn(this Tensor tensor, Device device) =>
        tensor.device_type == device.type && (device.type == DeviceType.CPU || tensor.device_index == device.index);
}
