using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Checkpoints;

internal static class TensorAssert
{
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
