using EmbeddingService.Engine.Imaging;
using SkiaSharp;

namespace EmbeddingService.Engine.Tests.Imaging;

/// <summary>The production path (cropped passes, vectors, 4-byte pixels, pooled buffers) against <see cref="ReferencePreprocessing"/>, bit for bit.</summary>
public sealed class PreprocessingFastPathTests
{
    public static TheoryData<int, int, int, int> EdgeSizes() => new()
    {
        { 1, 1, 256, 256 },      // a single pixel upscaled
        { 1, 9, 3, 256 },        // one column
        { 9, 1, 256, 3 },        // one row
        { 2, 2, 1, 1 },
        { 7, 5, 7, 3 },          // width unchanged: only the vertical pass, on 3-byte pixels
        { 7, 5, 3, 5 },          // height unchanged: the horizontal band is the output
        { 10, 10, 256, 256 },
        { 640, 427, 383, 256 },  // rocket.jpg at center-crop 224
        { 120, 2000, 256, 4266 },
        { 2000, 120, 4266, 256 },
        { 333, 1, 17, 1 },
        { 31, 17, 31, 17 },      // nothing resampled: a copy
    };

    [Theory]
    [MemberData(nameof(EdgeSizes))]
    public void WholePictureMatchesTheReference(int width, int height, int resizedWidth, int resizedHeight)
    {
        var source = RandomImage(width, height, seed: width * 7919 + height);
        var plan = ResizePlan.WithoutCrop(resizedWidth, resizedHeight);

        Assert.Equal(ReferencePreprocessing.ResizeAndCrop(source, plan).Pixels, PillowBicubicResampler.ResizeAndCrop(source, plan).Pixels);
    }

    [Fact]
    public void RandomSizesAndCropWindowsMatchTheReference()
    {
        var random = new Random(11);
        for (var i = 0; i < 150; i++)
        {
            var (width, height) = (random.Next(1, 200), random.Next(1, 200));
            // Mostly shrinking, as for photos, with upscales and unchanged axes among them.
            var resizedWidth = random.Next(4) == 0 ? width : random.Next(1, 260);
            var resizedHeight = random.Next(4) == 0 ? height : random.Next(1, 260);
            var (cropWidth, cropHeight) = (random.Next(1, resizedWidth + 1), random.Next(1, resizedHeight + 1));
            var plan = new ResizePlan(resizedWidth, resizedHeight,
                random.Next(resizedWidth - cropWidth + 1), random.Next(resizedHeight - cropHeight + 1), cropWidth, cropHeight);
            var source = RandomImage(width, height, seed: i);

            var expected = ReferencePreprocessing.ResizeAndCrop(source, plan).Pixels;

            Assert.True(expected.AsSpan().SequenceEqual(PillowBicubicResampler.ResizeAndCrop(source, plan).Pixels), $"3-byte pixels, case {i}: {width}x{height} by {plan}");
            using var fourBytes = FourBytePixels(source, random);
            using var resized = PillowBicubicResampler.ResizeAndCrop(fourBytes.Rows, plan, clock: null);
            Assert.True(expected.AsSpan().SequenceEqual(resized.Rows.ToRgbImage().Pixels), $"4-byte pixels, case {i}: {width}x{height} by {plan}");
        }
    }

    [Theory]
    [InlineData(SKEncodedOrigin.TopLeft)]
    [InlineData(SKEncodedOrigin.TopRight)]
    [InlineData(SKEncodedOrigin.BottomRight)]
    [InlineData(SKEncodedOrigin.BottomLeft)]
    [InlineData(SKEncodedOrigin.LeftTop)]
    [InlineData(SKEncodedOrigin.RightTop)]
    [InlineData(SKEncodedOrigin.RightBottom)]
    [InlineData(SKEncodedOrigin.LeftBottom)]
    public void UprightCopiesMatchTheOrientation(SKEncodedOrigin origin)
    {
        foreach (var (width, height) in new[] { (1, 1), (1, 6), (6, 1), (5, 3), (64, 37) })
        {
            using var stored = new RentedPixels(width, height, 4);
            new Random(width * height).NextBytes(stored.Bytes);
            var expected = ReferencePreprocessing.Upright(stored.Bytes.ToArray(), width, height, origin);

            var rgb = UprightRgbCopier.CopyToRgb(stored.Rows, origin);
            using var rgbx = UprightRgbCopier.Copy(stored.Rows, origin);

            Assert.Equal((expected.Width, expected.Height), (rgb.Width, rgb.Height));
            Assert.Equal(expected.Pixels, rgb.Pixels);
            Assert.Equal(expected.Pixels, rgbx.Rows.ToRgbImage().Pixels);
        }
    }

    [Fact]
    public void NormalisationEqualsTheFloatFormulaForEveryLevel()
    {
        var pixels = new byte[256 * 3];
        for (var v = 0; v < 256; v++)
            (pixels[v * 3], pixels[v * 3 + 1], pixels[v * 3 + 2]) = ((byte)v, (byte)(255 - v), (byte)(v * 7));
        var image = new RgbImage(16, 16, pixels);

        Assert.Equal(ReferencePreprocessing.Normalize(image), ImageNetNormalization.ToChw(image).Chw);
    }

    public static TheoryData<string, ResizePolicy> FixturesAndPolicies()
    {
        var data = new TheoryData<string, ResizePolicy>();
        foreach (var name in Fixtures.GoodImageNames())
        foreach (var policy in Enum.GetValues<ResizePolicy>())
            data.Add(name, policy);
        return data;
    }

    [Theory]
    [MemberData(nameof(FixturesAndPolicies))]
    public void EncodedFixturesGiveTheReferenceTensor(string imageName, ResizePolicy policy)
    {
        var encoded = File.ReadAllBytes(Fixtures.GoodImage(imageName));
        var resizePolicy = ResizePolicies.Create(policy);
        var decoder = new ImageDecoder();
        using var stored = decoder.DecodeStored(encoded);
        var upright = ReferencePreprocessing.Upright(stored.Rgba.Pixels.AsSpan(0, stored.Rgba.Height * stored.Rgba.Stride).ToArray(), stored.Rgba.Width, stored.Rgba.Height, stored.Origin);
        var expected = ReferencePreprocessing.Normalize(ReferencePreprocessing.ResizeAndCrop(upright, resizePolicy.Plan(upright.Width, upright.Height)));

        var preprocessor = new ImagePreprocessor(resizePolicy, decoder);
        Assert.Equal(upright.Pixels, decoder.Decode(encoded).Pixels);
        Assert.Equal(expected, preprocessor.Process(encoded).Chw);
        Assert.Equal(expected, preprocessor.Process(decoder.Decode(encoded)).Chw);
    }

    [Fact]
    public void ProcessReportsTheUprightSizeBeforeResizing()
    {
        var encoded = File.ReadAllBytes(Fixtures.GoodImage("chelsea-exif-orientation6.jpg"));
        var preprocessor = new ImagePreprocessor(new CenterCropPolicy());
        (int, int)? reported = null;

        preprocessor.Process(encoded, (width, height) => reported = (width, height));
        var refused = Assert.Throws<InvalidOperationException>(() => preprocessor.Process(encoded, (_, _) => throw new InvalidOperationException("over budget")));

        Assert.Equal((451, 300), reported);
        Assert.Equal("over budget", refused.Message);
    }

    private static RgbImage RandomImage(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 3];
        var random = new Random(seed);
        random.NextBytes(pixels);
        // Saturated runs, where the kernel's negative lobes overshoot and clip8 has work to do.
        for (var i = 0; i < pixels.Length; i += 3 * random.Next(1, 9))
            pixels[i] = random.Next(2) == 0 ? (byte)0 : (byte)255;
        return new RgbImage(width, height, pixels);
    }

    /// <summary>The same picture with 4 bytes a pixel, the fourth random: the result must not depend on it.</summary>
    private static RentedPixels FourBytePixels(RgbImage image, Random random)
    {
        var rgbx = new RentedPixels(image.Width, image.Height, 4);
        random.NextBytes(rgbx.Bytes);
        for (var i = 0; i < image.Width * image.Height; i++)
            image.Pixels.AsSpan(i * 3, 3).CopyTo(rgbx.Bytes.Slice(i * 4, 3));
        return rgbx;
    }
}
