using EmbeddingService.Engine.Imaging;
using SkiaSharp;

namespace EmbeddingService.Engine.Tests.Imaging;

/// <summary>The system's TurboJPEG, where present, gives Skia's pixels for every JPEG it takes, and takes the usual ones.</summary>
public sealed class TurboJpegTests
{
    private const string Absent = "libturbojpeg.so.0 is not installed (package libturbojpeg0): every JPEG goes through Skia";

    public static TheoryData<string> JpegFixtures() => new(Fixtures.GoodImageNames().Where(name => name.EndsWith(".jpg", StringComparison.Ordinal)));

    [SkippableTheory]
    [MemberData(nameof(JpegFixtures))]
    public void FixturesDecodeToSkiasPixels(string imageName)
    {
        Skip.IfNot(TurboJpeg.IsAvailable, Absent);
        var encoded = File.ReadAllBytes(Fixtures.GoodImage(imageName));

        AssertSameAsSkia(encoded, expectTurboJpeg: imageName != "chelsea-cmyk.jpg");
    }

    [SkippableTheory]
    [InlineData(SKJpegEncoderDownsample.Downsample420)]
    [InlineData(SKJpegEncoderDownsample.Downsample422)]
    [InlineData(SKJpegEncoderDownsample.Downsample444)]
    public void EverySubsamplingAndOddSizeDecodesToSkiasPixels(SKJpegEncoderDownsample downsample)
    {
        Skip.IfNot(TurboJpeg.IsAvailable, Absent);
        foreach (var (width, height) in new[] { (1, 1), (1, 23), (17, 9), (333, 77), (640, 427) })
        {
            using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
            var random = new Random(width * 31 + height);
            for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 255 / width), (byte)random.Next(256), (byte)(y * 255 / height)));
            using var jpeg = bitmap.PeekPixels()!.Encode(new SKJpegEncoderOptions(85, downsample, SKJpegEncoderAlphaOption.Ignore))
                ?? throw new InvalidOperationException("Skia could not encode the JPEG");

            AssertSameAsSkia(jpeg.ToArray(), expectTurboJpeg: true);
        }
    }

    [Fact]
    public void DamagedJpegsKeepSkiasErrors()
    {
        var encoded = File.ReadAllBytes(Fixtures.GoodImage("rocket.jpg"));
        var truncated = encoded[..(encoded.Length / 2)];

        var error = Assert.Throws<ImageDecodeException>(() => new ImageDecoder().Decode(truncated));
        var skiaError = Assert.Throws<ImageDecodeException>(() => new ImageDecoder(null, turboJpeg: false).Decode(truncated));

        Assert.Equal(ImageDecodeError.Truncated, error.Code);
        Assert.Equal(skiaError.Message, error.Message);
    }

    private static void AssertSameAsSkia(byte[] encoded, bool expectTurboJpeg)
    {
        using var skia = new ImageDecoder(null, turboJpeg: false).DecodeStored(encoded);
        using var decoded = new ImageDecoder().DecodeStored(encoded);
        var rows = skia.Rgba;
        var turbo = new byte[rows.Width * rows.Height * 4];

        Assert.Equal(expectTurboJpeg, TurboJpeg.TryDecode(encoded, rows.Width, rows.Height, turbo));
        Assert.Equal(skia.Origin, decoded.Origin);
        Assert.True(rows.Pixels.AsSpan(0, turbo.Length).SequenceEqual(decoded.Rgba.Pixels.AsSpan(0, turbo.Length)), "ImageDecoder's pixels differ from Skia's");
        if (expectTurboJpeg)
            Assert.True(rows.Pixels.AsSpan(0, turbo.Length).SequenceEqual(turbo), "TurboJPEG's pixels differ from Skia's");
    }
}
