using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Engine.Tests.Imaging;

/// <summary>Pillow 9.4 keeps a GIF's first frame as palette indices, so nothing in it comes out black by transparency.</summary>
public sealed class GifFirstFrameTests
{
    private static readonly byte[] Palette = GifBytes.Palette(4, (10, 20, 30), (200, 100, 50), (1, 2, 3), (7, 8, 9));

    private static byte[] Decode(GifBytes gif) => new ImageDecoder().Decode(gif.ToArray()).Pixels;

    [Fact]
    public void TransparentIndexTakesItsPaletteColour()
    {
        var gif = new GifBytes { ScreenWidth = 2, ScreenHeight = 1, GlobalPalette = Palette, TransparentIndex = 1, FrameWidth = 2, FrameHeight = 1, Indices = [1, 2] };

        Assert.Equal([200, 100, 50, 1, 2, 3], Decode(gif));
    }

    [Fact]
    public void CanvasOutsideASmallFrameIsTheTransparentColour()
    {
        var gif = new GifBytes
        {
            ScreenWidth = 2, ScreenHeight = 1, GlobalPalette = Palette, BackgroundIndex = 3, TransparentIndex = 1,
            Left = 1, FrameWidth = 1, FrameHeight = 1, Indices = [2],
        };

        Assert.Equal([200, 100, 50, 1, 2, 3], Decode(gif));
    }

    [Fact]
    public void CanvasOutsideASmallOpaqueFrameIsPaletteEntryZeroNotTheBackground()
    {
        var gif = new GifBytes { ScreenWidth = 2, ScreenHeight = 1, GlobalPalette = Palette, BackgroundIndex = 3, Left = 1, FrameWidth = 1, FrameHeight = 1, Indices = [2] };

        Assert.Equal([10, 20, 30, 1, 2, 3], Decode(gif));
    }

    [Fact]
    public void LocalPaletteColoursTheTransparentIndex()
    {
        var gif = new GifBytes
        {
            ScreenWidth = 2, ScreenHeight = 1, GlobalPalette = Palette, TransparentIndex = 0,
            LocalPalette = GifBytes.Palette(2, (90, 91, 92), (93, 94, 95)), FrameWidth = 2, FrameHeight = 1, Indices = [0, 1],
        };

        Assert.Equal([90, 91, 92, 93, 94, 95], Decode(gif));
    }

    [Fact]
    public void FrameLargerThanTheScreenGrowsTheCanvas()
    {
        var image = new ImageDecoder().Decode(new GifBytes { ScreenWidth = 1, ScreenHeight = 1, GlobalPalette = Palette, FrameWidth = 2, FrameHeight = 1, Indices = [2, 3] }.ToArray());

        Assert.Equal((2, 1), (image.Width, image.Height));
        Assert.Equal([1, 2, 3, 7, 8, 9], image.Pixels);
    }

    [Fact]
    public void CorruptImageDataIsRejected()
    {
        var gif = new GifBytes { ScreenWidth = 2, ScreenHeight = 1, GlobalPalette = Palette, FrameWidth = 2, FrameHeight = 1, Indices = [1, 2] }.ToArray();
        var cut = gif[..^6];

        var error = Assert.Throws<ImageDecodeException>(() => new ImageDecoder().Decode(cut));

        Assert.Equal(ImageDecodeError.Truncated, error.Code);
    }
}
