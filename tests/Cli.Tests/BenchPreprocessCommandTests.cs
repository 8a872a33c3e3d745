using System.Text.Json;

namespace EmbeddingService.Cli.Tests;

public sealed class BenchPreprocessCommandTests
{
    [Fact]
    public void ReportsTheMedianOfEveryStageForBothPolicies()
    {
        var (code, stdout, stderr) = CliRun.Run("bench-preprocess", "--images", CliRun.Fixture("images", "good", "chelsea-exif-orientation6.jpg"),
            "--iterations", "3", "--warmup", "0");

        Assert.True(code == 0, stderr);
        var image = JsonDocument.Parse(stdout).RootElement.GetProperty("images").EnumerateArray().Single();
        foreach (var (policy, output) in new[] { ("center-crop", "224x224"), ("keep-aspect", "336x224") })
        {
            var stages = image.GetProperty(policy);
            Assert.Equal(output, stages.GetProperty("output").GetString());
            var parts = new[] { "decode", "upright", "resize_horizontal", "resize_vertical", "normalize" }
                .Sum(stage => stages.GetProperty($"{stage}_ms_p50").GetDouble());
            Assert.True(parts > 0 && stages.GetProperty("total_ms_p50").GetDouble() > 0, policy);
        }
    }

    [Fact]
    public void AMissingImageFolderIsABadArgument()
    {
        var (code, _, stderr) = CliRun.Run("bench-preprocess", "--images", Path.Combine(CliRun.TempDir(), "absent"));

        Assert.Equal(2, code);
        Assert.Contains("does not exist", stderr);
    }
}
