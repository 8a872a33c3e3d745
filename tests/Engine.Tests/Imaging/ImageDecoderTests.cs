using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Engine.Tests.Imaging;

public sealed class ImageDecoderTests
{
    private static RgbImage Decode(string goodImage, ImageLimits? limits = null) =>
        new ImageDecoder(limits).Decode(File.ReadAllBytes(Fixtures.GoodImage(goodImage)));

    [Fact]
    public void AlphaIsDroppedWithoutPremultiplying()
    {
        var rgba = Decode("chelsea-rgba.png");
        var rgb = Decode("chelsea.png");

        Assert.Equal((rgb.Width, rgb.Height), (rgba.Width, rgba.Height));
        Assert.Equal(rgb.Pixels, rgba.Pixels);
    }

    [Theory]
    [InlineData("chelsea-small-exif-orientation2.jpg")]
    [InlineData("chelsea-small-exif-orientation3.jpg")]
    [InlineData("chelsea-small-exif-orientation4.jpg")]
    [InlineData("chelsea-small-exif-orientation5.jpg")]
    [InlineData("chelsea-small-exif-orientation7.jpg")]
    [InlineData("chelsea-small-exif-orientation8.jpg")]
    public void ExifOrientationGivesTheUprightSize(string fileName)
    {
        var image = Decode(fileName);

        Assert.Equal((178, 120), (image.Width, image.Height));
    }

    [Fact]
    public void GrayscaleBecomesEqualChannels()
    {
        var image = Decode("camera.png");

        for (var i = 0; i < image.Pixels.Length; i += 3)
            Assert.True(image.Pixels[i] == image.Pixels[i + 1] && image.Pixels[i] == image.Pixels[i + 2]);
    }

    [Fact]
    public void PixelLimitIsCheckedAgainstTheHeader()
    {
        var error = Assert.Throws<ImageDecodeException>(() => Decode("astronaut.png", new ImageLimits { MaxPixels = 512 * 512 - 1 }));

        Assert.Equal(ImageDecodeError.TooManyPixels, error.Code);
    }

    [Fact]
    public void PixelLimitIsInclusive()
    {
        var image = Decode("astronaut.png", new ImageLimits { MaxPixels = 512 * 512 });

        Assert.Equal((512, 512), (image.Width, image.Height));
    }

    [Fact]
    public void ByteLimitIsCheckedBeforeDecoding()
    {
        var error = Assert.Throws<ImageDecodeException>(() => Decode("chelsea-10x10.png", new ImageLimits { MaxBytes = 100 }));

        Assert.Equal(ImageDecodeError.TooManyBytes, error.Code);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    [InlineData(-1, 1)]
    [InlineData(1L << 40, 1)]
    public void InvalidLimitsAreRefused(long maxPixels, long maxBytes)
    {
        Assert.Throws<ArgumentException>(() => new ImageDecoder(new ImageLimits { MaxPixels = maxPixels, MaxBytes = maxBytes }));
    }
}
