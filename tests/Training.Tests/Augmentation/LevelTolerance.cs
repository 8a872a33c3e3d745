using EmbeddingService.Engine.Imaging;
using EmbeddingService.Training.Augmentation;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Augmentation;

/// <summary>The README's tolerances in 8-bit levels (or normalised units): a bound on the largest and on the mean absolute difference.</summary>
internal static class LevelTolerance
{
    public static void Exact(Tensor expected, RgbImage actual, string what) => Within(expected, actual, 0, 0, what);

    public static void Within(Tensor expected, RgbImage actual, double maxLevels, double meanLevels, string what)
    {
        using var actualHwc = RgbImageTensors.ToHwc(actual);
        Within(expected, actualHwc, maxLevels, meanLevels, what);
    }

    public static void Within(Tensor expected, Tensor actual, double maxAbs, double meanAbs, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = NewDisposeScope();
        var difference = actual.to(float64).sub(expected.to(float64)).abs();
        var max = difference.max().item<double>();
        var mean = difference.mean().item<double>();
        Assert.True(max <= maxAbs && mean <= meanAbs, $"{what}: max {max:G4} (≤ {maxAbs}), mean {mean:G4} (≤ {meanAbs})");
    }
}
