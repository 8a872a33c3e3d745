using EmbeddingService.Engine.Imaging;
using EmbeddingService.Training.Augmentation;

namespace EmbeddingService.Training.Tests.Augmentation;

/// <summary>Every op case of the augment-parity fixtures against the official (PIL) output, at the README's tolerances.</summary>
public sealed class OpParityTests
{
    [Theory]
    [InlineData("crop/chelsea_g_nonint_aspect")]
    [InlineData("crop/chelsea_g_border_br")]
    [InlineData("crop/chelsea_l_exact98")]
    [InlineData("crop/chelsea_l_mixed")]
    [InlineData("crop/chelsea10_g_upscale")]
    [InlineData("crop/camera_g_gray")]
    [InlineData("crop/chelsea_l_small")]
    [InlineData("crop/chelsea_l_topleft")]
    [InlineData("crop/chelsea_g_fallback")]
    public void Resized_crop_is_pillow_exact(string caseName)
    {
        var spec = AugmentFixtures.Case(caseName);
        var source = AugmentFixtures.Source(spec.GetProperty("source_image").GetString()!);
        var ijhw = spec.GetProperty("box_ijhw").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var box = new CropBox(ijhw[0], ijhw[1], ijhw[2], ijhw[3]);

        using var expected = AugmentFixtures.Expected(caseName);
        LevelTolerance.Exact(expected, ResizedCrop.Apply(source, box, spec.GetProperty("size").GetInt32()), caseName);
        if (spec.GetProperty("files").TryGetProperty("input_box", out _))
        {
            using var expectedBox = AugmentFixtures.Expected(caseName, "input_box");
            LevelTolerance.Exact(expectedBox, ResizedCrop.Crop(source, box), caseName + " input_box");
        }
    }

    [Theory]
    [InlineData("flip/chelsea", "chelsea")]
    [InlineData("flip/odd", "odd")]
    public void Hflip_mirrors_columns(string caseName, string input) =>
        Check(caseName, input, HorizontalFlip.Apply);

    [Theory]
    [InlineData("jitter/chelsea_brightness_+0.6", 0.6)]
    [InlineData("jitter/chelsea_brightness_+1.4", 1.4)]
    public void Brightness_is_exact(string caseName, double factor) =>
        Check(caseName, "chelsea", image => ColorEnhance.AdjustBrightness(image, factor));

    [Theory]
    [InlineData("jitter/chelsea_contrast_+0.6", 0.6)]
    [InlineData("jitter/chelsea_contrast_+1.4", 1.4)]
    public void Contrast_is_exact_and_blends_towards_the_rounded_mean_grey(string caseName, double factor)
    {
        Assert.Equal(AugmentFixtures.Case(caseName).GetProperty("contrast_mean_L").GetInt32(), ColorEnhance.MeanLuma(AugmentFixtures.Input("chelsea")));
        Check(caseName, "chelsea", image => ColorEnhance.AdjustContrast(image, factor));
    }

    [Theory]
    [InlineData("jitter/chelsea_saturation_+0.8", 0.8)]
    [InlineData("jitter/chelsea_saturation_+1.2", 1.2)]
    public void Saturation_is_exact(string caseName, double factor) =>
        Check(caseName, "chelsea", image => ColorEnhance.AdjustSaturation(image, factor));

    [Theory]
    [InlineData("jitter/chelsea_hue_-0.1", "chelsea", -0.1)]
    [InlineData("jitter/chelsea_hue_+0.1", "chelsea", 0.1)]
    [InlineData("jitter/rocket_hue_+0.05", "rocket", 0.05)]
    public void Hue_is_exact_with_a_truncated_shift(string caseName, string input, double factor)
    {
        Assert.Equal(AugmentFixtures.Case(caseName).GetProperty("hue_shift_added_to_H_uint8").GetInt32(), HueAdjustment.ShiftOf(factor));
        Check(caseName, input, image => HueAdjustment.Apply(image, factor));
    }

    [Fact]
    public void Hue_round_trip_is_lossy_even_without_a_shift()
    {
        var image = AugmentFixtures.Input("chelsea");
        var original = (byte[])image.Pixels.Clone();
        HueAdjustment.Apply(image, 0.0009);
        Assert.NotEqual(original, image.Pixels);
    }

    [Theory]
    [InlineData("jitter/chelsea_order0123", "chelsea")]
    [InlineData("jitter/chelsea_order3210", "chelsea")]
    [InlineData("jitter/rocket_order2031", "rocket")]
    public void Color_jitter_runs_the_four_ops_in_the_drawn_order(string caseName, string input)
    {
        var spec = AugmentFixtures.Case(caseName);
        var factors = spec.GetProperty("factors");
        var draw = new ColorJitterDraw(
            spec.GetProperty("fn_idx").EnumerateArray().Select(v => (ColorJitterOp)v.GetInt32()).ToArray(),
            factors.GetProperty("brightness").GetDouble(),
            factors.GetProperty("contrast").GetDouble(),
            factors.GetProperty("saturation").GetDouble(),
            factors.GetProperty("hue").GetDouble());
        Check(caseName, input, image => ColorJitter.Apply(image, draw));
    }

    [Theory]
    [InlineData("gray/chelsea", "chelsea")]
    [InlineData("gray/rocket", "rocket")]
    public void Grayscale_is_pillow_L_in_three_channels(string caseName, string input) =>
        Check(caseName, input, Grayscale.Apply);

    [Theory]
    [InlineData("blur/chelsea_sigma0.1", "chelsea", 0.1)]
    [InlineData("blur/chelsea_sigma1", "chelsea", 1.0)]
    [InlineData("blur/chelsea_sigma2", "chelsea", 2.0)]
    [InlineData("blur/rocket_sigma1", "rocket", 1.0)]
    public void Gaussian_blur_is_within_one_level(string caseName, string input, double sigma)
    {
        var expectedKernel = AugmentFixtures.Case(caseName).GetProperty("kernel1d_float32").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var kernel = GaussianBlur.Kernel1d(sigma);
        for (var k = 0; k < kernel.Length; k++)
            Assert.True(Math.Abs(kernel[k] - expectedKernel[k]) <= 2e-7 * expectedKernel.Max(), $"kernel[{k}] {kernel[k]:R} vs {expectedKernel[k]:R}");

        var image = AugmentFixtures.Input(input);
        GaussianBlur.Apply(image, sigma);
        using var expected = AugmentFixtures.Expected(caseName);
        LevelTolerance.Within(expected, image, 1, 0.01, caseName);
    }

    [Theory]
    [InlineData("solarize/chelsea", "chelsea")]
    [InlineData("solarize/rocket", "rocket")]
    public void Solarize_inverts_from_128_inclusive(string caseName, string input) =>
        Check(caseName, input, image => Solarize.Apply(image));

    private static void Check(string caseName, string input, Action<RgbImage> op)
    {
        var image = AugmentFixtures.Input(input);
        op(image);
        using var expected = AugmentFixtures.Expected(caseName);
        LevelTolerance.Exact(expected, image, caseName);
    }
}
