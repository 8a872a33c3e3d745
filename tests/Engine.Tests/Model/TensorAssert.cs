using EmbeddingService.Engine.IO;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Model;

public static class TensorAssert
{
    public static double MaxAbsDifference(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        if (expected.numel() == 0) return 0;
        using var diff = actual.to(float32).sub(expected.to(float32)).abs().max();
        return diff.item<float>();
    }

    public static void Close(NpyArray expected, Tensor actual, double tolerance, string what)
    {
        using var expectedTensor = tensor(expected.Data, expected.Shape);
        var max = MaxAbsDifference(actual.cpu(), expectedTensor);
        Assert.True(max <= tolerance, $"{what}: max abs error {max:E3} > {tolerance:E1}");
    }

    public static void Close(Tensor expected, Tensor actual, double tolerance, string what)
    {
        var max = MaxAbsDifference(actual, expected);
        Assert.True(max <= tolerance, $"{what}: max abs error {max:E3} > {tolerance:E1}");
    }
}
