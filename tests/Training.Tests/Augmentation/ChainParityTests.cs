using EmbeddingService.Training.Augmentation;

namespace EmbeddingService.Training.Tests.Augmentation;

/// <summary>The official DataAugmentationDINO crops, replayed from their recorded draws, against the official tensors.</summary>
public sealed class ChainParityTests
{
    [Theory]
    [InlineData("chain/global1", CropKind.Global1)]
    [InlineData("chain/global2", CropKind.Global2)]
    [InlineData("chain/local1", CropKind.Local)]
    public void Replayed_crop_matches_the_official_one(string caseName, CropKind kind)
    {
        var spec = AugmentFixtures.Case(caseName);
        var draws = RecordedCropDraws.Parse(spec.GetProperty("draws"), kind);
        var source = AugmentFixtures.Source(spec.GetProperty("source_image").GetString()!);
        var files = spec.GetProperty("files");

        var crop = CropRenderer.Geometric(source, draws);
        if (files.TryGetProperty("after_crop_flip", out _))
        {
            using var expectedGeometric = AugmentFixtures.Expected(caseName, "after_crop_flip");
            LevelTolerance.Within(expectedGeometric, crop, 1, 0.01, caseName + " after_crop_flip");
        }
        CropRenderer.Photometric(crop, draws);
        using var expectedBeforeNormalize = AugmentFixtures.Expected(caseName, "before_normalize");
        LevelTolerance.Within(expectedBeforeNormalize, crop, 2, 0.01, caseName + " before_normalize");
        using var expected = AugmentFixtures.Expected(caseName);
        using var output = NormalizedTensor.Of(crop);
        LevelTolerance.Within(expected, output, 0.036, 2e-4, caseName + " output");
    }

    [Fact]
    public void Normalisation_of_the_official_pil_image_is_within_1e6()
    {
        using var beforeNormalize = AugmentFixtures.Expected("chain/global2", "before_normalize");
        using var expected = AugmentFixtures.Expected("chain/global2");
        using var output = NormalizedTensor.Of(RgbImageTensors.FromHwc(beforeNormalize));
        LevelTolerance.Within(expected, output, 1e-6, 1e-6, "ToTensor + Normalize");
    }

    [Fact]
    public void All_recorded_draws_of_the_official_call_parse_and_render()
    {
        var source = AugmentFixtures.Source("chelsea.png");
        var all = AugmentFixtures.Manifest.GetProperty("chain_all_draws_of_that_call").EnumerateArray().ToArray();
        Assert.Equal(10, all.Length);
        for (var i = 0; i < all.Length; i++)
        {
            var draws = RecordedCropDraws.Parse(all[i], i switch { 0 => CropKind.Global1, 1 => CropKind.Global2, _ => CropKind.Local });
            var crop = CropRenderer.Render(source, draws);
            Assert.Equal((draws.Size, draws.Size), (crop.Width, crop.Height));
        }
    }
}
