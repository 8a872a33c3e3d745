using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Engine.Tests.Imaging;

public sealed class ResizePolicyTests
{
    // Geometry from tests/fixtures/preprocess/README.md, "Per-image geometry".
    [Theory]
    [InlineData(512, 512, 256, 256, 16, 16)]
    [InlineData(120, 2000, 256, 4266, 16, 2021)]
    [InlineData(2000, 120, 4266, 256, 2021, 16)]
    [InlineData(402, 267, 385, 256, 80, 16)]
    [InlineData(451, 300, 384, 256, 80, 16)]
    [InlineData(178, 120, 379, 256, 78, 16)]
    [InlineData(640, 427, 383, 256, 80, 16)]
    public void CenterCropMatchesTorchvision(int width, int height, int resizedWidth, int resizedHeight, int left, int top)
    {
        var plan = new CenterCropPolicy().Plan(width, height);

        Assert.Equal(new ResizePlan(resizedWidth, resizedHeight, left, top, 224, 224), plan);
    }

    [Fact]
    public void CenterCropSizesAreConfigurable()
    {
        var plan = new CenterCropPolicy(resizeShorterTo: 518, cropSize: 448).Plan(640, 427);

        Assert.Equal((448, 448), (plan.CropWidth, plan.CropHeight));
        Assert.Equal(518, plan.ResizedHeight);
    }

    [Fact]
    public void CenterCropRefusesPicturesTooElongatedToResize()
    {
        var error = Assert.Throws<ArgumentException>(() => new CenterCropPolicy().Plan(1, 40_000_000));

        Assert.Contains("1x40000000", error.Message);
    }

    [Theory]
    [InlineData(0, 224)]
    [InlineData(256, 0)]
    [InlineData(224, 256)]
    public void CenterCropRefusesInvalidSizes(int resizeShorterTo, int cropSize)
    {
        Assert.Throws<ArgumentException>(() => new CenterCropPolicy(resizeShorterTo, cropSize));
    }

    [Theory]
    [InlineData(500, 500, 224, 224)]
    [InlineData(640, 427, 322, 224)]
    [InlineData(300, 451, 224, 336)]
    [InlineData(2000, 120, 448, 14)]
    [InlineData(120, 2000, 14, 448)]
    [InlineData(1000, 600, 364, 224)]
    [InlineData(10, 10, 224, 224)]
    public void KeepAspectGivesWholePatches(int width, int height, int expectedWidth, int expectedHeight)
    {
        var plan = new KeepAspectPolicy().Plan(width, height);

        Assert.Equal((expectedWidth, expectedHeight), (plan.CropWidth, plan.CropHeight));
        Assert.Equal(0, plan.CropWidth % 14);
        Assert.Equal(0, plan.CropHeight % 14);
        Assert.True(plan.ResizedWidth - plan.CropWidth < 14 && plan.ResizedHeight - plan.CropHeight < 14);
    }

    [Fact]
    public void KeepAspectCropsTheRemainderCentred()
    {
        // 640x427 scales to 335x224; 335 trims to 322, leaving 13: offset round(6.5) = 6.
        var plan = new KeepAspectPolicy().Plan(640, 427);

        Assert.Equal(new ResizePlan(335, 224, 6, 0, 322, 224), plan);
    }

    [Theory]
    [InlineData(224, 448, 0)]
    [InlineData(10, 448, 14)]
    [InlineData(224, 200, 14)]
    public void KeepAspectRefusesInvalidSizes(int shorterSide, int maxLongerSide, int patchSize)
    {
        Assert.Throws<ArgumentException>(() => new KeepAspectPolicy(shorterSide, maxLongerSide, patchSize));
    }

    [Fact]
    public void KeepAspectPreprocessingProducesTheTokenGrid()
    {
        var preprocessor = new ImagePreprocessor(new KeepAspectPolicy());

        var image = preprocessor.Process(File.ReadAllBytes(Fixtures.GoodImage("rocket.jpg")));

        Assert.Equal((224, 322), (image.Height, image.Width));
        Assert.Equal(3 * 224 * 322, image.Chw.Length);
    }
}
