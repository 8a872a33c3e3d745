using EmbeddingService.Cli.Evaluation;
using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Cli.Tests;

public sealed class CopyQueryMakerTests
{
    private static readonly ImageDecoder Decoder = new();

    private static RgbImage Original(string file) => Decoder.Decode(File.ReadAllBytes(CliRun.Fixture("images", "good", file)));

    [Fact]
    public void MakesOneDecodableCopyPerTransformByDefault()
    {
        var maker = new CopyQueryMaker(CopyTransforms.Names, CopyTransforms.Names.Count, seed: 0);
        var queries = maker.Make("chelsea.png", Original("chelsea.png")).ToArray();
        Assert.Equal(CopyTransforms.Names.Order(), queries.Select(q => q.Transform).Order());
        Assert.All(queries, q => Assert.Equal("chelsea.png", q.OriginalId));
        var sizes = queries.ToDictionary(q => q.Transform, q => Decoder.Decode(q.Image) is var image ? (image.Width, image.Height) : default);
        Assert.Equal((300, 451), sizes["rotate90"]);
        Assert.Equal((451, 300), sizes["rotate180"]);
        Assert.Equal((451, 300), sizes["text"]);
        Assert.True(sizes["crop"].Width * sizes["crop"].Height < 0.91 * 451 * 300);
    }

    [Fact]
    public void TheSameSeedMakesTheSameBytesAndAnotherSeedOtherOnes()
    {
        var original = Original("rocket.jpg");
        byte[][] Make(int seed) => new CopyQueryMaker(["crop", "text"], 3, seed).Make("rocket.jpg", original).Select(q => q.Image).ToArray();
        Assert.Equal(Make(1), Make(1));
        Assert.NotEqual(Make(1), Make(2));
    }

    [Fact]
    public void MoreQueriesThanTransformsCycleThroughThem()
    {
        var queries = new CopyQueryMaker(["flip", "grayscale"], 5, seed: 0).Make("camera.png", Original("camera.png")).ToArray();
        Assert.Equal(5, queries.Length);
        Assert.Equal(3, queries.Count(q => q.Transform == queries[0].Transform));
    }

    [Fact]
    public void LargeOriginalsAreScaledDownToTheLimit()
    {
        var query = new CopyQueryMaker(["flip"], 1, seed: 0).Make("wide", Original("chelsea-wide-2000x120.jpg")).Single();
        var image = Decoder.Decode(query.Image);
        Assert.Equal((CopyQueryMaker.MaxSide, 61), (image.Width, image.Height));
    }
}
