using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Engine.Tests.Imaging;

/// <summary>convert('RGB') of every PNG colour type and depth: alpha dropped unpremultiplied, 16-bit samples as v >> 8.</summary>
public sealed class PngPixelFormatTests
{
    private static byte[] Decode(int width, int bitDepth, int colorType, byte[] row, params byte[][] extraChunks)
    {
        var image = new ImageDecoder().Decode(PngBytes.File(
            [PngBytes.Ihdr(width, 1, bitDepth, colorType), .. extraChunks, PngBytes.Idat(PngBytes.Unfiltered(row)), PngBytes.Iend()]));
        Assert.Equal((width, 1), (image.Width, image.Height));
        return image.Pixels;
    }

    [Fact]
    public void PaletteWithTransparencyKeepsThePaletteColours() =>
        Assert.Equal([10, 20, 30, 40, 50, 60], Decode(2, 8, 3, [0, 1], PngBytes.Chunk("PLTE", [10, 20, 30, 40, 50, 60]), PngBytes.Chunk("tRNS", [0, 128])));

    [Fact]
    public void GrayAlphaDropsAlphaWithoutPremultiplying() =>
        Assert.Equal([64, 64, 64, 144, 144, 144], Decode(2, 8, 4, [64, 0, 144, 128]));

    [Fact]
    public void RgbWithTransparentColourKeepsTheColour() =>
        Assert.Equal([1, 2, 3, 4, 5, 6], Decode(2, 8, 2, [1, 2, 3, 4, 5, 6], PngBytes.Chunk("tRNS", [0, 1, 0, 2, 0, 3])));

    [Fact]
    public void OneBitGrayIsBlackAndWhite() =>
        Assert.Equal([255, 255, 255, 0, 0, 0, 255, 255, 255, 0, 0, 0], Decode(4, 1, 0, [0b1010_0000]));

    [Fact]
    public void TwoBitGrayIsScaledBy85() =>
        Assert.Equal([0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255], Decode(4, 2, 0, [0b00_01_10_11]));

    [Fact]
    public void FourBitGrayIsScaledBy17() =>
        Assert.Equal([17, 17, 17, 255, 255, 255], Decode(2, 4, 0, [0x1F]));

    [Fact]
    public void SixteenBitGrayKeepsTheHighByte() =>
        Assert.Equal([0x12, 0x12, 0x12, 0xAB, 0xAB, 0xAB], Decode(2, 16, 0, [0x12, 0xFF, 0xAB, 0x80]));

    [Fact]
    public void SixteenBitGrayAlphaKeepsTheHighByte() =>
        Assert.Equal([0x12, 0x12, 0x12], Decode(1, 16, 4, [0x12, 0xFF, 0x00, 0x01]));

    [Fact]
    public void SixteenBitRgbaKeepsTheHighByteAndIgnoresAlpha() =>
        Assert.Equal([0x12, 0xAB, 0x01], Decode(1, 16, 6, [0x12, 0xFF, 0xAB, 0x80, 0x01, 0x80, 0x00, 0x01]));

    [Fact]
    public void InterlacedDecodesLikeSequential()
    {
        var whole = new ImageDecoder().Decode(File.ReadAllBytes(Fixtures.GoodImage("chelsea-10x10.png")));
        var rows = Enumerable.Range(0, 10).Select(y => whole.Pixels.AsSpan(y * whole.Stride, whole.Stride).ToArray()).ToArray();
        var passes = Adam7Scanlines(rows, 10, 10);

        var interlaced = new ImageDecoder().Decode(PngBytes.File(PngBytes.Ihdr(10, 10, 8, 2, interlaced: true), PngBytes.Idat(passes), PngBytes.Iend()));

        Assert.Equal(whole.Pixels, interlaced.Pixels);
    }

    private static byte[] Adam7Scanlines(byte[][] rows, int width, int height)
    {
        (int X0, int Y0, int Dx, int Dy)[] passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];
        var scanlines = new List<byte>();
        foreach (var (x0, y0, dx, dy) in passes)
        {
            if (x0 >= width)
                continue;
            for (var y = y0; y < height; y += dy)
            {
                scanlines.Add(0);
                for (var x = x0; x < width; x += dx)
                    scanlines.AddRange(rows[y].AsSpan(3 * x, 3).ToArray());
            }
        }
        return [.. scanlines];
    }
}
