using EmbeddingService.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Runtime;

public sealed class TensorPlacementTests
{
    public TensorPlacementTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void A_cpu_tensor_is_on_the_cpu_and_on_no_cuda_device()
    {
        using var tensor = zeros(2);
        Assert.True(tensor.IsOn(CPU));
        Assert.True(tensor.IsOn(new Device(DeviceType.CPU)));
        Assert.False(tensor.IsOn(new Device(DeviceType.CUDA, 0)));
    }
}
