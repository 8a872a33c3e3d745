using System.Text.Json;
using EmbeddingService.Engine.IO;

namespace EmbeddingService.Cli.Tests;

public sealed class ImageCommandsTests
{
    [Theory]
    [InlineData("rocket.jpg")]
    [InlineData("chelsea-small-exif-orientation5.jpg")]
    [InlineData("chelsea-rgba.png")]
    public void PreprocessWritesTheReferenceTensor(string image)
    {
        var output = Path.Combine(CliRun.TempDir(), "x.npy");
        var (code, _, stderr) = CliRun.Run("preprocess", CliRun.Fixture("images", "good", image), "--out", output);
        Assert.True(code == 0, stderr);
        var expected = Npy.Read(CliRun.Fixture("preprocess", image + ".npy"));
        var actual = Npy.Read(output);
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.True(expected.Data.Zip(actual.Data, (e, a) => Math.Abs(e - a)).Max() <= 0.036);
    }

    [Fact]
    public void KeepAspectGivesPatchMultiplesOfTheShorterSide()
    {
        var output = Path.Combine(CliRun.TempDir(), "x.npy");
        var (code, _, stderr) = CliRun.Run("preprocess", "--policy", "keep-aspect", "--size", "224", CliRun.Fixture("images", "good", "rocket.jpg"), "--out", output);
        Assert.True(code == 0, stderr);
        Assert.Equal(new long[] { 3, 224, 322 }, Npy.Read(output).Shape);
    }

    [Theory]
    [InlineData("truncated.jpg", "truncated")]
    [InlineData("bomb-60000x60000.png", "too_many_pixels")]
    [InlineData("html.jpg", "unknown_format")]
    [InlineData("empty.jpg", "empty")]
    public void PreprocessRejectsBadFilesWithTheReasonAndExitCodeOne(string file, string reason)
    {
        var (code, _, stderr) = CliRun.Run("preprocess", CliRun.Fixture("images", "bad", file), "--out", Path.Combine(CliRun.TempDir(), "x.npy"));
        Assert.Equal(1, code);
        Assert.StartsWith($"embedctl: {reason}:", stderr);
    }

    [Fact]
    public void EmbedPrintsOneJsonLinePerFileAndReportsBadOnesInBand()
    {
        var (code, stdout, _) = CliRun.Run("embed", "--weights", CliRun.Fixture("dinov2-parity", "tiny", "weights.pth"), "--pooling", "cls+mean",
            CliRun.Fixture("images", "good", "rocket.jpg"), CliRun.Fixture("images", "bad", "random.jpg"), CliRun.Fixture("images", "good", "camera.png"));
        Assert.Equal(1, code);
        var lines = stdout.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(3, lines.Length);
        Assert.Equal(192, lines[0].GetProperty("embedding").GetArrayLength());
        Assert.StartsWith("unknown_format", lines[1].GetProperty("error").GetString());
        var vector = lines[2].GetProperty("embedding").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => v * v)), 4);
    }

    [Fact]
    public void EmbedWritesOneNpyForAllImages()
    {
        var output = Path.Combine(CliRun.TempDir(), "e.npy");
        var (code, _, stderr) = CliRun.Run("embed", "--arch", "vits14", "--policy", "keep-aspect", "--out", output,
            CliRun.Fixture("images", "good", "chelsea-wide-2000x120.jpg"), CliRun.Fixture("images", "good", "astronaut.png"));
        Assert.True(code == 0, stderr);
        Assert.Contains("RANDOM", stderr);
        var embeddings = Npy.Read(output);
        Assert.Equal(new long[] { 2, 384 }, embeddings.Shape);
        Assert.All(embeddings.Data, v => Assert.True(float.IsFinite(v)));
    }
}
