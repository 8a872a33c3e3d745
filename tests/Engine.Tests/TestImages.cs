using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Engine.Tests;

internal static class TestImages
{
    /// <summary>A normalised-looking [3, H, W] input with values in [-1, 1), the same for the same seed.</summary>
    public static PreprocessedImage Random(int height, int width, int seed)
    {
        var random = new Random(seed);
        return new PreprocessedImage(height, width, Enumerable.Range(0, 3 * height * width).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray());
    }
}
