using System.Text.Json;
using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Cli.Tests;

/// <summary>embedctl eval knn on tiny generated class folders.</summary>
public sealed class EvalKnnCommandTests
{
    [Fact]
    public void PixelFeaturesClassifyStripesByOrientation()
    {
        var dir = Folders();

        var (code, stdout, stderr) = CliRun.Run("eval", "knn", "--features", "pixels", "--train", Path.Combine(dir, "train"),
            "--val", Path.Combine(dir, "val"), "--k", "1,3");

        Assert.True(code == 0, stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("pixels", report.GetProperty("features").GetString());
        Assert.Equal(16 * 16 * 3, report.GetProperty("feature_dim").GetInt32());
        Assert.Equal(6, report.GetProperty("train").GetProperty("images").GetInt32());
        Assert.Equal(2, report.GetProperty("val").GetProperty("evaluated").GetInt32());
        Assert.Equal(1.0, report.GetProperty("knn").GetProperty("1").GetProperty("top1").GetDouble());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("knn").GetProperty("3").GetProperty("top5").ValueKind);
    }

    [Fact]
    public void ClsFeaturesOfRandomWeightsRunAndSayTheWeightsAreRandom()
    {
        var dir = Folders();
        var output = Path.Combine(dir, "knn.json");

        var (code, stdout, stderr) = CliRun.Run("eval", "knn", "--weights", "random:1", "--arch", "vits14", "--resolution", "28",
            "--train", Path.Combine(dir, "train"), "--val", Path.Combine(dir, "val"), "--k", "2", "--batch", "4", "--threads", "1",
            "--output", output);

        Assert.True(code == 0, stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(384, report.GetProperty("feature_dim").GetInt32());
        Assert.Equal("onnxruntime", report.GetProperty("backend").GetString());
        Assert.Equal("center-crop 28", report.GetProperty("preprocess").GetString());
        var top1 = report.GetProperty("knn").GetProperty("2").GetProperty("top1").GetDouble();
        Assert.InRange(top1, 0, 1);
        Assert.Contains("RANDOM", stderr);
        Assert.Equal(stdout.Trim(), File.ReadAllText(output).Trim());

        (code, var torchStdout, stderr) = CliRun.Run("eval", "knn", "--weights", "random:1", "--arch", "vits14", "--resolution", "28",
            "--train", Path.Combine(dir, "train"), "--val", Path.Combine(dir, "val"), "--k", "2", "--batch", "4", "--threads", "1",
            "--backend", "torch");
        Assert.True(code == 0, stderr);
        var torchReport = JsonDocument.Parse(torchStdout).RootElement;
        Assert.Equal("torch", torchReport.GetProperty("backend").GetString());
        Assert.Equal(report.GetProperty("knn").GetRawText(), torchReport.GetProperty("knn").GetRawText());
    }

    [Fact]
    public void UnlabelledFoldersAndMixedSizesAreClearFailures()
    {
        var dir = Folders();
        var flat = Path.Combine(dir, "flat");
        Directory.CreateDirectory(flat);
        File.Copy(Path.Combine(dir, "val", "h", "0.png"), Path.Combine(flat, "0.png"));
        File.WriteAllBytes(Path.Combine(dir, "train", "v", "big.png"), GrayscalePng.Encode(17, 16, new byte[17 * 16]));

        var (code, _, stderr) = CliRun.Run("eval", "knn", "--features", "pixels", "--train", Path.Combine(dir, "train"), "--val", flat, "--k", "1");
        Assert.Equal(1, code);
        Assert.Contains("dataset_unlabelled", stderr);
        Assert.Contains(flat, stderr);

        var (sizesCode, _, sizesErr) = CliRun.Run("eval", "knn", "--features", "pixels", "--train", Path.Combine(dir, "train"),
            "--val", Path.Combine(dir, "val"), "--k", "1");
        Assert.Equal(1, sizesCode);
        Assert.Contains("dataset_inconsistent", sizesErr);
        Assert.Contains("17x16", sizesErr);

        var (badK, _, badKErr) = CliRun.Run("eval", "knn", "--features", "pixels", "--train", Path.Combine(dir, "train"),
            "--val", Path.Combine(dir, "val"), "--k", "1,x");
        Assert.Equal(2, badK);
        Assert.Contains("--k", badKErr);
    }

    /// <summary>train/{h,v}: three horizontal- and three vertical-stripe images (phases 0..2); val/{h,v}: one each, a train phase in other levels.</summary>
    private static string Folders()
    {
        var dir = CliRun.TempDir();
        for (var i = 0; i < 3; i++)
        {
            Stripes(Path.Combine(dir, "train", "h", $"{i}.png"), horizontal: true, phase: i);
            Stripes(Path.Combine(dir, "train", "v", $"{i}.png"), horizontal: false, phase: i);
        }
        Stripes(Path.Combine(dir, "val", "h", "0.png"), horizontal: true, phase: 1, bright: 190, dark: 60);
        Stripes(Path.Combine(dir, "val", "v", "0.png"), horizontal: false, phase: 2, bright: 190, dark: 60);
        return dir;
    }

    private static void Stripes(string path, bool horizontal, int phase, byte bright = 220, byte dark = 30)
    {
        var pixels = new byte[16 * 16];
        for (var y = 0; y < 16; y++)
            for (var x = 0; x < 16; x++)
                pixels[y * 16 + x] = ((horizontal ? y : x) + phase) % 4 < 2 ? bright : dark;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, GrayscalePng.Encode(16, 16, pixels));
    }
}
