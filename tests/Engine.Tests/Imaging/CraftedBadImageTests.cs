using System.Buffers.Binary;
using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Engine.Tests.Imaging;

/// <summary>Bad files built in the test: each gets a specific reason, from the header where the size is the problem.</summary>
public sealed class CraftedBadImageTests
{
    private static readonly byte[] Row = [1, 2, 3, 4, 5, 6];

    private static ImageDecodeError Reject(byte[] bytes) =>
        Assert.Throws<ImageDecodeException>(() => new ImageDecoder().Decode(bytes)).Code;

    private static byte[] Good(string name) => File.ReadAllBytes(Fixtures.GoodImage(name));

    public static TheoryData<string, byte[]> OtherFormats() => new()
    {
        { "TIFF", [(byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
        { "big-endian TIFF", [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0] },
        { "ICO", [0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0, 0x68, 4, 0, 0, 22, 0, 0, 0] },
        { "SVG", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>"u8.ToArray() },
        { "PDF", "%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(OtherFormats))]
    public void FormatsOtherThanTheFiveAreUnknown(string format, byte[] bytes)
    {
        Assert.NotEmpty(format);
        Assert.Equal(ImageDecodeError.UnknownFormat, Reject(bytes));
    }

    public static TheoryData<string, byte[]> SignatureOnly() => new()
    {
        { "PNG", [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A] },
        { "JPEG", [0xFF, 0xD8, 0xFF] },
        { "GIF", "GIF89a"u8.ToArray() },
        { "BMP", "BM"u8.ToArray() },
        { "WebP", "RIFF\0\0\0\0WEBP"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(SignatureOnly))]
    public void NothingAfterAValidSignatureIsTruncated(string format, byte[] bytes)
    {
        Assert.NotEmpty(format);
        Assert.Equal(ImageDecodeError.Truncated, Reject(bytes));
    }

    [Fact]
    public void PngCutInsideItsImageDataIsTruncated()
    {
        var png = Good("astronaut.png");
        var firstIdat = png.AsSpan().IndexOf("IDAT"u8);

        Assert.Equal(ImageDecodeError.Truncated, Reject(png[..(firstIdat + 5000)]));
    }

    [Fact]
    public void GifCutInsideItsImageDataIsTruncated()
    {
        var gif = Good("chelsea-astronaut-anim.gif");

        Assert.Equal(ImageDecodeError.Truncated, Reject(gif[..(gif.Length / 4)]));
    }

    [Theory]
    [InlineData("IHDR")]
    [InlineData("tEXt")]
    [InlineData("IDAT")]
    public void PngChunkWithABadCrcIsCorrupt(string chunkType)
    {
        // Pillow checks the CRC of every chunk before the image data, libpng that of the image data.
        var text = PngBytes.Text("Comment", "hello");
        var png = PngBytes.File(PngBytes.Ihdr(2, 1, 8, 2), text, PngBytes.Idat(PngBytes.Unfiltered(Row)), PngBytes.Iend());
        var chunk = png.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(chunkType));
        var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(chunk - 4));
        png[chunk + 4 + length] ^= 0x01;

        Assert.Equal(ImageDecodeError.Corrupt, Reject(png));
    }

    [Fact]
    public void PngAncillaryChunkAfterTheImageDataWithABadCrcIsIgnored()
    {
        var text = PngBytes.Text("Comment", "hello");
        text[^1] ^= 0x01;

        var image = new ImageDecoder().Decode(PngBytes.File(PngBytes.Ihdr(2, 1, 8, 2), PngBytes.Idat(PngBytes.Unfiltered(Row)), text, PngBytes.Iend()));

        Assert.Equal(Row, image.Pixels);
    }

    [Fact]
    public void CompressedPngTextThatDoesNotInflateIsCorrupt()
    {
        var garbage = PngBytes.Chunk("zTXt", [.. "Comment"u8, 0, 0, 0x78, 0x9C, 0xFF, 0xFF, 0xFF]);

        Assert.Equal(ImageDecodeError.Corrupt, Reject(PngBytes.File(PngBytes.Ihdr(2, 1, 8, 2), garbage, PngBytes.Idat(PngBytes.Unfiltered(Row)), PngBytes.Iend())));
    }

    public static TheoryData<string> HugeHeaders() => ["BMP", "BMP top-down", "BMP core header", "WebP", "GIF"];

    [Theory]
    [MemberData(nameof(HugeHeaders))]
    public void HugeDeclaredSizeIsRejectedFromTheHeader(string kind)
    {
        var bytes = HugeHeader(kind);
        var decoder = new ImageDecoder();
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<ImageDecodeException>(() => decoder.Decode(bytes));

        Assert.Equal(ImageDecodeError.TooManyPixels, error.Code);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024);
    }

    private static byte[] HugeHeader(string kind)
    {
        switch (kind)
        {
            case "BMP" or "BMP top-down":
                var bmp = Good("chelsea-402x267.bmp");
                BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 100_000);
                BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), kind == "BMP" ? 100_000 : -100_000);
                return bmp;
            case "BMP core header":
                byte[] core = [.. "BM"u8, 0, 0, 0, 0, 0, 0, 0, 0, 26, 0, 0, 0, 12, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 24, 0, 0, 0, 0];
                return core;
            case "WebP":
                var webp = Good("chelsea.webp");
                // Simple lossy WebP: the VP8 frame header holds 14-bit width and height at file offsets 26 and 28.
                BinaryPrimitives.WriteUInt16LittleEndian(webp.AsSpan(26), 0x3FFF);
                BinaryPrimitives.WriteUInt16LittleEndian(webp.AsSpan(28), 0x3FFF);
                return webp;
            default:
                var palette = GifBytes.Palette(2, (0, 0, 0), (255, 255, 255));
                return new GifBytes { ScreenWidth = 65535, ScreenHeight = 65535, GlobalPalette = palette, FrameWidth = 1, FrameHeight = 1, Indices = [1] }.ToArray();
        }
    }
}
