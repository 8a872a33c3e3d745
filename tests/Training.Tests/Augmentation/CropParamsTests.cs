using System.Text.Json;
using EmbeddingService.Training.Augmentation;

namespace EmbeddingService.Training.Tests.Augmentation;

/// <summary>RandomResizedCrop.get_params against the official draws, replayed one by one.</summary>
public sealed class CropParamsTests
{
    public static TheoryData<int> Traces() =>
        [.. Enumerable.Range(0, AugmentFixtures.Manifest.GetProperty("get_params_traces").GetArrayLength())];

    [Theory]
    [MemberData(nameof(Traces))]
    public void Replayed_trace_gives_the_official_box(int index)
    {
        var trace = AugmentFixtures.Manifest.GetProperty("get_params_traces")[index];
        var (width, height) = Pair(trace.GetProperty("image_wh"));
        var scale = trace.GetProperty("scale").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var attempts = trace.GetProperty("attempts").EnumerateArray().ToArray();
        var uniforms = attempts.SelectMany(a => new[] { a.GetProperty("scale_draw").GetDouble(), a.GetProperty("log_ratio_draw").GetDouble() });
        var integers = attempts.Where(a => a.GetProperty("accepted").GetBoolean())
            .SelectMany(a => new[] { a.GetProperty("i").GetInt32(), a.GetProperty("j").GetInt32() });
        var random = new ReplayedRandom(uniforms, integers);

        var box = RandomResizedCropParams.Draw(width, height, (scale[0], scale[1]), random);

        Assert.True(random.Exhausted, "every recorded draw is used, and no more");
        Assert.Equal(Box(trace.GetProperty("result_ijhw")), box);
        if (trace.GetProperty("fallback").GetBoolean())
            Assert.Equal(RandomResizedCropParams.Fallback(width, height), box);
    }

    [Fact]
    public void Log_ratio_bounds_are_torchs_float32_values()
    {
        var bounds = AugmentFixtures.Manifest.GetProperty("get_params_traces")[0].GetProperty("log_ratio_bounds_float32");
        Assert.Equal(bounds[0].GetDouble(), (double)RandomResizedCropParams.LogMinRatio);
        Assert.Equal(bounds[1].GetDouble(), (double)RandomResizedCropParams.LogMaxRatio);
    }

    [Fact]
    public void Fallback_boxes_are_the_official_ones()
    {
        foreach (var entry in AugmentFixtures.Manifest.GetProperty("fallback_boxes_ijhw").EnumerateObject())
        {
            var size = entry.Name.Split('x').Select(int.Parse).ToArray();
            Assert.Equal(Box(entry.Value), RandomResizedCropParams.Fallback(size[0], size[1]));
        }
    }

    private static (int, int) Pair(JsonElement pair) => (pair[0].GetInt32(), pair[1].GetInt32());

    private static CropBox Box(JsonElement ijhw) => new(ijhw[0].GetInt32(), ijhw[1].GetInt32(), ijhw[2].GetInt32(), ijhw[3].GetInt32());
}
