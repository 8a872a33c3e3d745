using EmbeddingService.Engine.IO;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests;

internal static class TensorAssert
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

    public static void SameKeysAndShapes(IReadOnlyDictionary<string, long[]> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, shape) in expected) Assert.True(shape.SequenceEqual(actual[key].shape), $"{key}: expected [{string.Join(",", shape)}], got [{string.Join(",", actual[key].shape)}]");
    }

    /// <summary>Same keys and bit-identical float32 values.</summary>
    public static void Identical(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, tensor) in expected)
        {
            Assert.Equal(ScalarType.Float32, actual[key].dtype);
            Assert.True(tensor.shape.SequenceEqual(actual[key].shape), $"{key}: shapes differ");
            using var scope = NewDisposeScope();
            Assert.True(tensor.eq(actual[key]).all().item<bool>(), $"{key}: values differ");
        }
    }

    public static void DisposeAll(IReadOnlyDictionary<string, Tensor> tensors)
    {
        foreach (var tensor in tensors.Values) tensor.Dispose();
    }
}
