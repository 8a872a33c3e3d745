using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Engine.Tests.Imaging;

public sealed class BadImageTests
{
    // Expected reasons from tests/fixtures/images/README.md, "bad/".
    public static TheoryData<string, ImageDecodeError> BadImages() => new()
    {
        { "empty.jpg", ImageDecodeError.Empty },
        { "html.jpg", ImageDecodeError.UnknownFormat },
        { "random.jpg", ImageDecodeError.UnknownFormat },
        { "text-as-png.png", ImageDecodeError.UnknownFormat },
        { "bomb-60000x60000.png", ImageDecodeError.TooManyPixels },
        { "huge-sof-65000x65000.jpg", ImageDecodeError.TooManyPixels },
        { "truncated.jpg", ImageDecodeError.Truncated },
        { "zero-screen-0x0.gif", ImageDecodeError.ZeroSize },
    };

    [Theory]
    [MemberData(nameof(BadImages))]
    public void BadImageIsRejectedWithItsReason(string fileName, ImageDecodeError expected)
    {
        var bytes = File.ReadAllBytes(Fixtures.BadImage(fileName));

        var error = Assert.Throws<ImageDecodeException>(() => new ImageDecoder().Decode(bytes));

        Assert.Equal(expected, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void EveryBadFixtureHasAnExpectedReason()
    {
        var listed = BadImages().Select(row => (string)row[0]).Order();

        Assert.Equal(Fixtures.BadImageNames(), listed);
    }

    [Theory]
    [InlineData("bomb-60000x60000.png")]
    [InlineData("huge-sof-65000x65000.jpg")]
    public void PixelLimitIsEnforcedBeforeAnyPixelBufferExists(string fileName)
    {
        var bytes = File.ReadAllBytes(Fixtures.BadImage(fileName));
        var decoder = new ImageDecoder();
        var before = GC.GetAllocatedBytesForCurrentThread();

        Assert.Throws<ImageDecodeException>(() => decoder.Decode(bytes));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024);
    }

    [Fact]
    public void PixelLimitErrorNamesTheDeclaredSize()
    {
        var bytes = File.ReadAllBytes(Fixtures.BadImage("bomb-60000x60000.png"));

        var error = Assert.Throws<ImageDecodeException>(() => new ImageDecoder().Decode(bytes));

        Assert.Contains("60000x60000", error.Message);
    }

    [Theory]
    [InlineData("rocket.jpg")]
    [InlineData("chelsea.png")]
    [InlineData("chelsea.webp")]
    [InlineData("chelsea-402x267.bmp")]
    public void TruncatedPixelDataIsRejectedRatherThanPartlyDecoded(string goodImage)
    {
        var whole = File.ReadAllBytes(Fixtures.GoodImage(goodImage));

        var error = Assert.Throws<ImageDecodeException>(() => new ImageDecoder().Decode(whole.AsSpan(0, whole.Length / 2)));

        Assert.Equal(ImageDecodeError.Truncated, error.Code);
    }

    [Fact]
    public void TruncatedProgressiveJpegIsRejected()
    {
        // Skia reports a progressive JPEG cut short as invalid input, not as incomplete.
        var whole = File.ReadAllBytes(Fixtures.GoodImage("astronaut-progressive.jpg"));

        Assert.Throws<ImageDecodeException>(() => new ImageDecoder().Decode(whole.AsSpan(0, whole.Length / 2)));
    }
}
