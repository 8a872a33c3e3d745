using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.IO;
using Xunit.Abstractions;

namespace EmbeddingService.Engine.Tests.Imaging;

public sealed class ReferenceTensorTests(ITestOutputHelper output)
{
    // Tolerance from tests/fixtures/preprocess/README.md, in normalised units.
    private const double MaxAbsTolerance = 0.036;
    private const double MeanAbsTolerance = 0.003;

    public static TheoryData<string> GoodImages() => new(Fixtures.GoodImageNames());

    [Theory]
    [MemberData(nameof(GoodImages))]
    public void CenterCropTensorMatchesPillowAndTorchvision(string imageName)
    {
        var reference = Npy.Read(Fixtures.ReferenceTensor(imageName));
        var actual = new ImagePreprocessor(new CenterCropPolicy()).Process(File.ReadAllBytes(Fixtures.GoodImage(imageName)));

        Assert.Equal([3L, 224, 224], reference.Shape);
        Assert.Equal((224, 224), (actual.Height, actual.Width));
        var (maxAbs, meanAbs) = Differences(actual.Chw, reference.Data);
        output.WriteLine($"{imageName}: max abs {maxAbs:G4}, mean abs {meanAbs:G4}");
        Assert.True(maxAbs <= MaxAbsTolerance, $"max abs {maxAbs} over {MaxAbsTolerance}");
        Assert.True(meanAbs <= MeanAbsTolerance, $"mean abs {meanAbs} over {MeanAbsTolerance}");
    }

    private static (double MaxAbs, double MeanAbs) Differences(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0, sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var difference = Math.Abs((double)actual[i] - expected[i]);
            max = Math.Max(max, difference);
            sum += difference;
        }
        return (max, sum / actual.Length);
    }
}
