using EmbeddingService.Cli.Evaluation;
using SkiaSharp;

namespace EmbeddingService.Cli.Tests;

public sealed class CopyTransformsTests
{
    private const int Width = 120;
    private const int Height = 80;

    /// <summary>A picture whose red and green channels name each pixel's column and row, so a pixel shows where it came from.</summary>
    private static SKBitmap Gradient()
    {
        var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var y = 0; y < Height; y++)
            for (var x = 0; x < Width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(2 * x), (byte)(3 * y), (byte)((x + y) % 256)));
        return bitmap;
    }

    private static (int X, int Y) Origin(SKColor pixel) => (pixel.Red / 2, pixel.Green / 3);

    [Theory]
    [MemberData(nameof(AllNames))]
    public void EveryTransformIsDeterministicForASeedAndKeepsTheSourceUnchanged(string name)
    {
        using var source = Gradient();
        var before = source.Bytes;
        using var first = CopyTransforms.Apply(name, source, new Random(42));
        using var second = CopyTransforms.Apply(name, source, new Random(42));
        Assert.Equal((first.Width, first.Height), (second.Width, second.Height));
        Assert.Equal(first.Bytes, second.Bytes);
        Assert.Equal(before, source.Bytes);
        Assert.Equal(SKAlphaType.Opaque, first.AlphaType);
    }

    public static TheoryData<string> AllNames() => new(CopyTransforms.Names);

    [Theory]
    [InlineData("crop")]
    [InlineData("rotate-small")]
    [InlineData("rescale")]
    [InlineData("jpeg")]
    [InlineData("color")]
    [InlineData("blur")]
    [InlineData("text")]
    [InlineData("combo")]
    public void RandomTransformsDifferBetweenSeeds(string name)
    {
        using var source = Gradient();
        var outcomes = Enumerable.Range(0, 4).Select(seed =>
        {
            using var copy = CopyTransforms.Apply(name, source, new Random(seed));
            return Convert.ToHexString(copy.Bytes);
        });
        Assert.True(outcomes.Distinct().Count() > 1);
    }

    [Fact]
    public void QuarterTurnsAreClockwiseAndExact()
    {
        using var source = Gradient();
        using var quarter = CopyTransforms.Apply("rotate90", source, new Random(0));
        using var half = CopyTransforms.Apply("rotate180", source, new Random(0));
        using var threeQuarters = CopyTransforms.Apply("rotate270", source, new Random(0));
        Assert.Equal((Height, Width), (quarter.Width, quarter.Height));
        Assert.Equal((Width, Height), (half.Width, half.Height));
        Assert.Equal((Height, Width), (threeQuarters.Width, threeQuarters.Height));
        foreach (var (x, y) in new[] { (0, 0), (7, 3), (Width - 1, Height - 1), (50, 70) })
        {
            Assert.Equal((x, y), Origin(quarter.GetPixel(Height - 1 - y, x)));
            Assert.Equal((x, y), Origin(half.GetPixel(Width - 1 - x, Height - 1 - y)));
            Assert.Equal((x, y), Origin(threeQuarters.GetPixel(y, Width - 1 - x)));
        }
    }

    [Fact]
    public void FlipMirrorsLeftAndRight()
    {
        using var source = Gradient();
        using var flipped = CopyTransforms.Apply("flip", source, new Random(0));
        Assert.Equal((Width, Height), (flipped.Width, flipped.Height));
        Assert.Equal((Width - 1, 5), Origin(flipped.GetPixel(0, 5)));
        Assert.Equal((0, 79), Origin(flipped.GetPixel(Width - 1, 79)));
    }

    [Fact]
    public void CropIsAnExactWindowOfHalfToNineTenthsOfTheArea()
    {
        using var source = Gradient();
        for (var seed = 0; seed < 50; seed++)
        {
            using var crop = CopyTransforms.Apply("crop", source, new Random(seed));
            var area = (double)crop.Width * crop.Height / (Width * Height);
            // One pixel of rounding in either side.
            Assert.InRange(area, 0.5 - (double)(Width + Height) / (Width * Height), 0.9 + (double)(Width + Height) / (Width * Height));
            Assert.True(crop.Width <= Width && crop.Height <= Height);
            var (left, top) = Origin(crop.GetPixel(0, 0));
            Assert.True(left + crop.Width <= Width && top + crop.Height <= Height);
            Assert.Equal((left + crop.Width - 1, top + crop.Height - 1), Origin(crop.GetPixel(crop.Width - 1, crop.Height - 1)));
        }
    }

    [Fact]
    public void RescaleShrinksBothSidesByTheSameFactorBetweenPoint3AndPoint7()
    {
        using var source = Gradient();
        for (var seed = 0; seed < 20; seed++)
        {
            using var scaled = CopyTransforms.Apply("rescale", source, new Random(seed));
            Assert.InRange(scaled.Width, (int)(0.3 * Width), (int)Math.Ceiling(0.7 * Width));
            Assert.Equal((double)scaled.Width / Width, (double)scaled.Height / Height, 1);
        }
        using var third = CopyTransforms.Rescale(source, 0.3);
        Assert.Equal((36, 24), (third.Width, third.Height));
    }

    [Fact]
    public void GrayscaleHasEqualChannelsOfTheLuma()
    {
        using var source = Gradient();
        using var gray = CopyTransforms.Apply("grayscale", source, new Random(0));
        for (var y = 0; y < Height; y += 7)
        {
            for (var x = 0; x < Width; x += 5)
            {
                var pixel = gray.GetPixel(x, y);
                var original = source.GetPixel(x, y);
                Assert.Equal(pixel.Red, pixel.Green);
                Assert.Equal(pixel.Green, pixel.Blue);
                Assert.Equal(Math.Round(0.299 * original.Red + 0.587 * original.Green + 0.114 * original.Blue), pixel.Red);
            }
        }
    }

    [Fact]
    public void SmallRotationKeepsTheCanvasAndFillsTheCornersGrey()
    {
        using var source = Gradient();
        using var rotated = CopyTransforms.Apply("rotate-small", source, new Random(3));
        Assert.Equal((Width, Height), (rotated.Width, rotated.Height));
        var corners = new[] { rotated.GetPixel(0, 0), rotated.GetPixel(Width - 1, 0), rotated.GetPixel(0, Height - 1), rotated.GetPixel(Width - 1, Height - 1) };
        Assert.All(corners, c => Assert.Equal(new SKColor(128, 128, 128), c));
        Assert.NotEqual(source.Bytes, rotated.Bytes);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("color")]
    [InlineData("jpeg")]
    public void PixelEditsKeepTheSizeAndChangePixels(string name)
    {
        using var source = Gradient();
        using var copy = CopyTransforms.Apply(name, source, new Random(1));
        Assert.Equal((Width, Height), (copy.Width, copy.Height));
        var changed = Enumerable.Range(0, Width * Height).Count(i => copy.GetPixel(i % Width, i / Width) != source.GetPixel(i % Width, i / Width));
        Assert.True(changed > Width * Height / 100, $"{name} changed only {changed} pixels");
    }

    [Fact]
    public void TextOverlayDrawsTheCaptionOverAFlatPicture()
    {
        using var flat = new SKBitmap(new SKImageInfo(200, 100, SKColorType.Rgba8888, SKAlphaType.Opaque));
        flat.Erase(new SKColor(30, 90, 150));
        using var captioned = CopyTransforms.Apply("text", flat, new Random(5));
        var colours = Enumerable.Range(0, 200 * 100).Select(i => captioned.GetPixel(i % 200, i / 200)).Distinct().Count();
        Assert.True(colours > 10, $"only {colours} colours: no caption drawn");
    }

    [Fact]
    public void BlurSmoothsNeighbouringPixels()
    {
        using var noise = new SKBitmap(new SKImageInfo(224, 224, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var random = new Random(9);
        for (var y = 0; y < 224; y++)
            for (var x = 0; x < 224; x++)
                noise.SetPixel(x, y, random.Next(2) == 0 ? SKColors.Black : SKColors.White);
        using var blurred = CopyTransforms.Apply("blur", noise, new Random(0));
        static double Roughness(SKBitmap b) => Enumerable.Range(1, 223).Average(x => Math.Abs(b.GetPixel(x, 100).Red - b.GetPixel(x - 1, 100).Red));
        Assert.True(Roughness(blurred) < Roughness(noise) / 4);
    }

    [Fact]
    public void ParseKeepsKnownNamesOnceAndRejectsOthers()
    {
        Assert.Equal(["crop", "flip"], CopyTransforms.Parse("crop, flip,crop"));
        Assert.Contains("'spin'", Assert.Throws<ArgumentException>(() => CopyTransforms.Parse("crop,spin")).Message);
        Assert.Throws<ArgumentException>(() => CopyTransforms.Parse(" , "));
    }
}
