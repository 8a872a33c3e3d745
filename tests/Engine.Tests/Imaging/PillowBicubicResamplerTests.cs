using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Engine.Tests.Imaging;

public sealed class PillowBicubicResamplerTests
{
    private static RgbImage Gradient(int width, int height)
    {
        var pixels = new byte[width * height * 3];
        for (var i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)(i * 37 % 251);
        return new RgbImage(width, height, pixels);
    }

    [Fact]
    public void SameSizeIsAnExactCopy()
    {
        var source = Gradient(31, 17);

        var resized = PillowBicubicResampler.Resize(source, 31, 17);

        Assert.Equal(source.Pixels, resized.Pixels);
    }

    [Theory]
    [InlineData(100, 60, 37, 23)]
    [InlineData(10, 10, 256, 256)]
    [InlineData(500, 500, 256, 256)]
    [InlineData(7, 300, 7, 11)]
    public void ConstantImageStaysConstant(int width, int height, int newWidth, int newHeight)
    {
        var source = new RgbImage(width, height, Enumerable.Repeat<byte>(201, width * height * 3).ToArray());

        var resized = PillowBicubicResampler.Resize(source, newWidth, newHeight);

        Assert.Equal((newWidth, newHeight), (resized.Width, resized.Height));
        Assert.All(resized.Pixels, value => Assert.Equal(201, value));
    }

    [Fact]
    public void UnchangedAxisIsNotResampled()
    {
        var source = Gradient(40, 9);

        var resized = PillowBicubicResampler.Resize(source, 40, 5);
        var column = PillowBicubicResampler.Resize(Column(source, 13), 1, 5);

        Assert.Equal(column.Pixels, Column(resized, 13).Pixels);
    }

    [Theory]
    [InlineData(451, 300, 384, 256, 80, 16, 224, 224)]
    [InlineData(120, 2000, 256, 4266, 16, 2021, 224, 224)]
    [InlineData(10, 10, 256, 256, 16, 16, 224, 224)]
    [InlineData(64, 48, 64, 30, 5, 3, 50, 20)]
    public void CropWindowEqualsCroppedFullResize(int width, int height, int resizedWidth, int resizedHeight, int left, int top, int cropWidth, int cropHeight)
    {
        var source = Gradient(width, height);
        var plan = new ResizePlan(resizedWidth, resizedHeight, left, top, cropWidth, cropHeight);

        var window = PillowBicubicResampler.ResizeAndCrop(source, plan);
        var full = PillowBicubicResampler.Resize(source, resizedWidth, resizedHeight);

        Assert.Equal((cropWidth, cropHeight), (window.Width, window.Height));
        for (var y = 0; y < cropHeight; y++)
            Assert.Equal(full.Pixels.AsSpan(((top + y) * resizedWidth + left) * 3, cropWidth * 3), window.Pixels.AsSpan(y * cropWidth * 3, cropWidth * 3));
    }

    [Fact]
    public void CropOutsideTheResizedPictureIsRefused()
    {
        Assert.Throws<ArgumentException>(() => new ResizePlan(100, 100, 50, 0, 51, 10));
    }

    private static RgbImage Column(RgbImage image, int x)
    {
        var pixels = new byte[image.Height * 3];
        for (var y = 0; y < image.Height; y++)
            image.Pixels.AsSpan((y * image.Width + x) * 3, 3).CopyTo(pixels.AsSpan(y * 3));
        return new RgbImage(1, image.Height, pixels);
    }
}
