using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Engine.Tests.Imaging;

/// <summary>Pillow 9.4's <c>exif_transpose</c> on PNGs: eXIf, ImageMagick's raw EXIF profile, then the XMP text.</summary>
public sealed class PngOrientationTests
{
    private static readonly byte[] Row = [1, 2, 3, 4, 5, 6];

    private static byte[] Exif(byte orientation) =>
        [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0];

    /// <summary>A 2x1 RGB PNG (pixels 1,2,3 then 4,5,6) with the given chunks before and after its IDAT.</summary>
    private static RgbImage Decode(byte[][] beforeImageData, params byte[][] afterImageData) =>
        new ImageDecoder().Decode(PngBytes.File(
            [PngBytes.Ihdr(2, 1, 8, 2), .. beforeImageData, PngBytes.Idat(PngBytes.Unfiltered(Row)), .. afterImageData, PngBytes.Iend()]));

    private static void AssertRotatedClockwise(RgbImage image)
    {
        Assert.Equal((1, 2), (image.Width, image.Height));
        Assert.Equal(Row, image.Pixels);
    }

    private static void AssertAsStored(RgbImage image)
    {
        Assert.Equal((2, 1), (image.Width, image.Height));
        Assert.Equal(Row, image.Pixels);
    }

    [Fact]
    public void ExifChunkOrientationIsApplied() =>
        AssertRotatedClockwise(Decode([PngBytes.Chunk("eXIf", Exif(6))]));

    [Fact]
    public void RawExifProfileTextIsApplied()
    {
        var profile = "\nexif\n      24\n" + Convert.ToHexString(Exif(6)).ToLowerInvariant() + "\n";

        AssertRotatedClockwise(Decode([PngBytes.CompressedText("Raw profile type exif", profile)]));
    }

    [Theory]
    [InlineData("<rdf:Description tiff:Orientation=\"6\"/>")]
    [InlineData("<rdf:Description><tiff:Orientation>6</tiff:Orientation></rdf:Description>")]
    public void XmpOrientationIsTheFallback(string xmp) =>
        AssertRotatedClockwise(Decode([PngBytes.InternationalText("XML:com.adobe.xmp", xmp, compressed: false)]));

    [Fact]
    public void XmpInACompressedTextAfterTheImageDataCounts() =>
        AssertRotatedClockwise(Decode([], PngBytes.InternationalText("XML:com.adobe.xmp", "<x tiff:Orientation=\"6\"/>", compressed: true)));

    [Fact]
    public void XmpInAPlainTextChunkCounts() =>
        AssertRotatedClockwise(Decode([PngBytes.Text("XML:com.adobe.xmp", "<x tiff:Orientation=\"6\"/>")]));

    [Fact]
    public void ExifOrientationOneOverridesXmp() =>
        AssertAsStored(Decode([PngBytes.Chunk("eXIf", Exif(1)), PngBytes.Text("XML:com.adobe.xmp", "<x tiff:Orientation=\"6\"/>")]));

    [Fact]
    public void TextsAfterTheImageDataAreUnreadWhenAnExifChunkPrecedesIt() =>
        AssertAsStored(Decode([PngBytes.Chunk("eXIf", Exif(1)[..14])], PngBytes.Text("XML:com.adobe.xmp", "<x tiff:Orientation=\"6\"/>")));

    [Theory]
    [InlineData("<x tiff:Orientation='6'/>")]
    [InlineData("<x tiff:Orientation=\"9\"/>")]
    [InlineData("<x tiff:Orientation> 6</x>")]
    [InlineData("<x exif:Orientation=\"6\"/>")]
    public void OnlyPillowsPatternsWithADigitFrom2To8Transpose(string xmp) =>
        AssertAsStored(Decode([PngBytes.Text("XML:com.adobe.xmp", xmp)]));

    [Fact]
    public void TheFirstXmpMatchWins() =>
        AssertRotatedClockwise(Decode([PngBytes.Text("XML:com.adobe.xmp", "tiff:Orientation=x tiff:Orientation>6 tiff:Orientation=\"3\"")]));

    [Fact]
    public void XmpEntitiesAreNotExpanded()
    {
        const string xmp = "<!DOCTYPE x [<!ENTITY o \"6\">]><x><tiff:Orientation>&o;</tiff:Orientation></x>";

        AssertAsStored(Decode([PngBytes.Text("XML:com.adobe.xmp", xmp)]));
    }

    [Fact]
    public void ExifWithoutATiffHeaderIsRejectedAsPillowDoes()
    {
        var error = Assert.Throws<ImageDecodeException>(() => Decode([PngBytes.Chunk("eXIf", "not a tiff"u8.ToArray())]));

        Assert.Equal(ImageDecodeError.Corrupt, error.Code);
    }
}
