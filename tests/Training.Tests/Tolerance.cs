using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests;

/// <summary>Assertions with the fixtures' tolerance forms: absolute, or relative to the expected tensor's largest magnitude.</summary>
internal static class Tolerance
{
    public static double MaxAbs(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        if (expected.numel() == 0) return 0;
        using var scope = NewDisposeScope();
        return actual.cpu().to(float64).sub(expected.cpu().to(float64)).abs().max().item<double>();
    }

    public static void Within(Tensor expected, Tensor actual, double atol, string what)
    {
        var max = MaxAbs(expected, actual);
        Assert.True(max <= atol, $"{what}: max abs error {max:E3} > {atol:E1}");
    }

    /// <summary>max|actual − expected| ≤ factor · max|expected|.</summary>
    public static void WithinScaled(Tensor expected, Tensor actual, double factor, string what)
    {
        using var scope = NewDisposeScope();
        var scale = expected.abs().max().to(float64).item<double>();
        Within(expected, actual, factor * scale, what);
    }

    public static void Relative(double expected, double actual, double rtol, string what) =>
        Assert.True(Math.Abs(actual - expected) <= rtol * Math.Abs(expected), $"{what}: {actual:R} vs {expected:R} (rtol {rtol:E1})");
}
