using System.Text.Json;

namespace EmbeddingService.Cli.Tests;

/// <summary>embedctl bench keeps its FLOP figures, its per-operation profile (computed outside the production assemblies) and names its backend.</summary>
public sealed class BenchCommandTests
{
    [Fact]
    public void BenchReportsFlopsAndTheProfileOfEachOperation()
    {
        var (code, stdout, stderr) = CliRun.Run("bench", "--weights", CliRun.Fixture("dinov2-parity", "tiny", "weights.pth"),
            "--batch", "2", "--res", "56", "--warmup", "0", "--iterations", "2", "--threads", "1", "--profile");

        Assert.True(code == 0, stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.True(report.GetProperty("gflop_per_image").GetDouble() > 0);
        Assert.True(report.GetProperty("gflop_per_s").GetDouble() > 0);
        var profile = report.GetProperty("profile_ms_per_forward");
        foreach (var operation in new[] { "patch_embed", "layernorm", "qkv_linear", "attention_sdpa", "ffn_linear_in", "ffn_linear_out", "residual_and_block_glue" })
            Assert.True(profile.TryGetProperty(operation, out var timed) && timed.TryGetProperty("ms", out _), operation);
        Assert.Equal(1.0, profile.EnumerateObject().Sum(p => p.Value.GetProperty("share").GetDouble()), 2);
    }

    [Theory]
    [InlineData("auto", "onnxruntime")]
    [InlineData("torch", "torch")]
    public void BenchSaysWhichBackendRanTheForward(string asked, string expected)
    {
        var (code, stdout, stderr) = CliRun.Run("bench", "--weights", CliRun.Fixture("dinov2-parity", "tiny", "weights.pth"),
            "--batch", "2", "--res", "56", "--warmup", "0", "--iterations", "1", "--threads", "1", "--backend", asked);

        Assert.True(code == 0, stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(expected, report.GetProperty("backend").GetString());
        Assert.Equal(expected == "torch", report.TryGetProperty("linear_kernel", out _));
        Assert.True(report.GetProperty("images_per_s").GetDouble() > 0);
    }

    [Fact]
    public void AnUnknownBackendIsABadArgument()
    {
        var (code, _, stderr) = CliRun.Run("bench", "--weights", "random:0", "--backend", "tensorrt");
        Assert.Equal(2, code);
        Assert.Contains("unknown backend 'tensorrt'", stderr);
    }
}
