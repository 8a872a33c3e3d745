using System.Text.Json;
using EmbeddingService.Engine.IO;

namespace EmbeddingService.Cli.Tests;

public sealed class CompareCommandTests
{
    [Fact]
    public void ReportsTheLargestAndMeanDifference()
    {
        var dir = CliRun.TempDir();
        Npy.Write(Path.Combine(dir, "a.npy"), [2, 2], [1f, 2f, 3f, 4f]);
        Npy.Write(Path.Combine(dir, "b.npy"), [2, 2], [1f, 2.5f, 3f, 3f]);
        var (code, stdout, stderr) = CliRun.Run("compare", Path.Combine(dir, "a.npy"), Path.Combine(dir, "b.npy"));
        Assert.True(code == 0, stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(1.0, report.GetProperty("max_abs_difference").GetDouble(), 6);
        Assert.Equal(0.375, report.GetProperty("mean_abs_difference").GetDouble(), 6);
    }

    [Fact]
    public void DifferentShapesAreAFailure()
    {
        var dir = CliRun.TempDir();
        Npy.Write(Path.Combine(dir, "a.npy"), [4], [1f, 2f, 3f, 4f]);
        Npy.Write(Path.Combine(dir, "b.npy"), [2, 2], [1f, 2f, 3f, 4f]);
        var (code, _, stderr) = CliRun.Run("compare", Path.Combine(dir, "a.npy"), Path.Combine(dir, "b.npy"));
        Assert.Equal(1, code);
        Assert.Contains("shapes differ", stderr);
    }

    [Fact]
    public void LoadRejectsABadAddressAsABadArgument()
    {
        var (code, _, stderr) = CliRun.Run("load", "--images", CliRun.Fixture("images", "good"), "--url", "not a url", "--requests", "1");
        Assert.Equal(2, code);
        Assert.Contains("--url", stderr);
    }
}
