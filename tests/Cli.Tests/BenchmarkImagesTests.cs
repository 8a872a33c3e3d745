using EmbeddingService.Cli.Evaluation;
using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Cli.Tests;

public sealed class BenchmarkImagesTests
{
    private static readonly string Good = CliRun.Fixture("images", "good");

    private static string[] DistractorIds(BenchmarkImages images) => images.All.Where(i => i.IsDistractor).Select(i => i.Id).ToArray();

    [Fact]
    public void HoldsOutASeededShareOfTheReadableImagesAsDistractors()
    {
        var images = BenchmarkImages.Load(Good, 0.3, seed: 0, new ImageDecoder());
        Assert.Equal(23, images.All.Count);
        Assert.Equal(0, images.Unreadable);
        Assert.Equal(7, DistractorIds(images).Length); // round(0.3 × 23)
        Assert.Equal(images.All.Select(i => i.Id).Order(StringComparer.Ordinal), images.All.Select(i => i.Id));
        Assert.Equal(DistractorIds(images), DistractorIds(BenchmarkImages.Load(Good, 0.3, seed: 0, new ImageDecoder())));
        Assert.NotEqual(DistractorIds(images), DistractorIds(BenchmarkImages.Load(Good, 0.3, seed: 1, new ImageDecoder())));
        Assert.Equal("distractor", images.All.First(i => i.IsDistractor).Role);
        Assert.Equal("original", images.All.First(i => !i.IsDistractor).Role);
    }

    [Fact]
    public void SkipsAndCountsFilesThatDoNotDecode()
    {
        var dir = CliRun.TempDir();
        File.Copy(Path.Combine(Good, "rocket.jpg"), Path.Combine(dir, "rocket.jpg"));
        foreach (var bad in new[] { "truncated.jpg", "html.jpg", "bomb-60000x60000.png" })
            File.Copy(CliRun.Fixture("images", "bad", bad), Path.Combine(dir, bad));
        var images = BenchmarkImages.Load(dir, 0.9, seed: 0, new ImageDecoder());
        Assert.Equal(3, images.Unreadable);
        var only = Assert.Single(images.All);
        Assert.Equal("rocket.jpg", only.Id);
        Assert.False(only.IsDistractor); // one image always stays a query source
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "rocket.jpg")), only.Bytes);
    }

    [Fact]
    public void AFolderWithoutAReadableImageIsAFailure()
    {
        var dir = CliRun.TempDir();
        File.Copy(CliRun.Fixture("images", "bad", "random.jpg"), Path.Combine(dir, "random.jpg"));
        Assert.Throws<InvalidDataException>(() => BenchmarkImages.Load(dir, 0.3, seed: 0, new ImageDecoder()));
    }
}
