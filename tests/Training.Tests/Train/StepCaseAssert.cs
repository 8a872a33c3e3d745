using System.Text.Json;
using EmbeddingService.Engine.Checkpoints;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Train;

/// <summary>The README tolerances of the train_step and distill_step cases.</summary>
internal static class StepCaseAssert
{
    public static void LossesMatch(JsonElement expected, JsonElement actual, string what)
    {
        foreach (var term in expected.EnumerateObject())
            Tolerance.Relative(term.Value.GetDouble(), actual.GetProperty(term.Name).GetDouble(), 1e-5, $"{what}.{term.Name}");
        Assert.Equal(expected.EnumerateObject().Count(), actual.EnumerateObject().Count());
    }

    /// <summary>Same parameters have gradients; per tensor max|Δ| ≤ 2e-5·max|g|.</summary>
    public static void GradientsMatch(string expectedFile, string actualFile)
    {
        var expected = SafeTensorsReader.Read(expectedFile);
        var actual = SafeTensorsReader.Read(actualFile);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, grad) in expected)
            Tolerance.WithinScaled(grad, actual[name], 2e-5, $"grad {name}");
    }

    /// <summary>
    /// ≥ 99% of elements within 1e-6 and every element within <paramref name="bound"/>: the first AdamW step moves
    /// elements whose gradient is at fp32 noise level by an arbitrary fraction of lr in any fp32 implementation.
    /// </summary>
    public static void ParametersMatch(string expectedFile, string actualFile, double bound, string what)
    {
        var expected = SafeTensorsReader.Read(expectedFile);
        var actual = SafeTensorsReader.Read(actualFile);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        long total = 0, close = 0;
        foreach (var (name, value) in expected)
        {
            using var scope = NewDisposeScope();
            var difference = actual[name].to(float64).sub(value.to(float64)).abs();
            var worst = difference.max().item<double>();
            Assert.True(worst <= bound, $"{what} {name}: max abs difference {worst:E3} > {bound:E3}");
            total += difference.numel();
            close += difference.le(1e-6).sum().item<long>();
        }
        Assert.True(close >= 0.99 * total, $"{what}: only {close} of {total} elements within 1e-6");
    }
}
