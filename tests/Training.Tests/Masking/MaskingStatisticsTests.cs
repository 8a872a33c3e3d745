using System.Text.Json;
using EmbeddingService.Training.Masking;

namespace EmbeddingService.Training.Tests.Masking;

public sealed class MaskingStatisticsTests
{
    [Theory]
    [InlineData("grid16_batch8", 2000)]
    [InlineData("grid4_batch2", 10000)]
    public void Seeded_batches_match_the_official_distribution(string name, int batches)
    {
        var setting = TrainFixtures.Manifest("dinov2-train-parity", "masking").GetProperty("settings").GetProperty(name);
        var collator = BatchCollatorTests.Collator(setting, seed: 17);

        var statistics = MaskingStatistics.Measure(collator, setting.GetProperty("n_images").GetInt32(), setting.GetProperty("crops_per_batch").GetInt32(), batches);

        Assert.Equal(batches * statistics.CropsPerBatch, statistics.CountHistogram.Sum());
        RecordedMaskingStatistics.AssertMatches(setting, JsonSerializer.SerializeToElement(statistics), name);
    }

    [Fact]
    public void Total_variation_is_half_the_l1_distance_of_the_normalised_histograms() =>
        Assert.Equal(0.5, MaskingStatistics.TotalVariation([2, 2, 0], [1, 1, 2]), 12);
}
