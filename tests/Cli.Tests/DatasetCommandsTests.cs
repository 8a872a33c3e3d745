using System.Text.Json;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Training.Data;

namespace EmbeddingService.Cli.Tests;

/// <summary>embedctl dataset import-idx and dataset bench-loader on tiny generated sets.</summary>
public sealed class DatasetCommandsTests
{
    [Fact]
    public void ImportIdxWritesClassFoldersThatDecodeToTheIdxPixelsAndARerunWritesNothing()
    {
        var dir = CliRun.TempDir();
        var pixels = Enumerable.Range(0, 3 * 4 * 2).Select(v => (byte)(v * 11)).ToArray();
        var images = Write(dir, "images-idx3-ubyte", IdxFile.Encode([3, 4, 2], pixels));
        var labels = Write(dir, "labels-idx1-ubyte", IdxFile.Encode([3], [1, 0, 1]));
        var outDir = Path.Combine(dir, "out");

        var (code, stdout, stderr) = CliRun.Run("dataset", "import-idx", images, labels, "--out", outDir, "--class-names", "shoe,bag");

        Assert.True(code == 0, stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(3, report.GetProperty("images").GetInt32());
        Assert.Equal(3, report.GetProperty("written").GetInt32());
        Assert.False(report.GetProperty("already_complete").GetBoolean());
        var second = new ImageDecoder().Decode(File.ReadAllBytes(Path.Combine(outDir, "shoe", "1.png")));
        Assert.Equal((2, 4), (second.Width, second.Height));
        Assert.Equal(pixels[8..16].SelectMany(v => new[] { v, v, v }), second.Pixels);
        Assert.True(File.Exists(Path.Combine(outDir, "bag", "0.png")) && File.Exists(Path.Combine(outDir, "bag", "2.png")));

        var (againCode, againOut, _) = CliRun.Run("dataset", "import-idx", images, labels, "--out", outDir, "--class-names", "shoe,bag");
        Assert.Equal(0, againCode);
        Assert.True(JsonDocument.Parse(againOut).RootElement.GetProperty("already_complete").GetBoolean());
    }

    [Fact]
    public void ImportIdxReportsATruncatedFileInOneLineWithExitCodeOne()
    {
        var dir = CliRun.TempDir();
        var images = Write(dir, "images", IdxFile.Encode([3, 4, 2], new byte[24])[..^5]);
        var labels = Write(dir, "labels", IdxFile.Encode([3], [0, 1, 0]));

        var (code, stdout, stderr) = CliRun.Run("dataset", "import-idx", images, labels, "--out", Path.Combine(dir, "out"));

        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Contains("is truncated", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void TooFewClassNamesAreABadArgument()
    {
        var dir = CliRun.TempDir();
        var images = Write(dir, "images", IdxFile.Encode([2, 2, 2], new byte[8]));
        var labels = Write(dir, "labels", IdxFile.Encode([2], [0, 2]));

        var (code, _, stderr) = CliRun.Run("dataset", "import-idx", images, labels, "--out", Path.Combine(dir, "out"), "--class-names", "a,b");

        Assert.Equal(2, code);
        Assert.Contains("--class-names gives 2 names but the labels go up to 2", stderr);
    }

    [Fact]
    public void BenchLoaderReportsThroughputAndAMissingFolderIsDatasetMissing()
    {
        var dir = CliRun.TempDir();
        for (var i = 0; i < 3; i++)
            File.WriteAllBytes(Path.Combine(dir, $"{i}.png"), GrayscalePng.Encode(20, 20, Enumerable.Repeat((byte)(40 * i), 400).ToArray()));

        var (code, stdout, stderr) = CliRun.Run("dataset", "bench-loader", dir, "--batch", "2", "--global-size", "28", "--local-size", "14",
            "--local-crops", "2", "--workers", "2", "--warmup", "1", "--batches", "2");

        Assert.True(code == 0, stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(3, report.GetProperty("images").GetInt32());
        Assert.True(report.GetProperty("images_per_s").GetDouble() > 0);

        var missing = Path.Combine(dir, "nope");
        var (missingCode, _, missingErr) = CliRun.Run("dataset", "bench-loader", missing);
        Assert.Equal(1, missingCode);
        Assert.Contains("dataset_missing", missingErr);
        Assert.Contains(missing, missingErr);
    }

    private static string Write(string dir, string name, byte[] bytes)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
