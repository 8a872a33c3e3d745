using System.Text.Json;

namespace EmbeddingService.Cli.Tests;

/// <summary>embedctl bench keeps its FLOP figures and its per-operation profile, computed outside the production assemblies.</summary>
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
}
