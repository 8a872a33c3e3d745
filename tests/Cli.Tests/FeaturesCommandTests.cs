using EmbeddingService.Engine.IO;

namespace EmbeddingService.Cli.Tests;

public sealed class FeaturesCommandTests
{
    [Theory]
    [InlineData("tiny", "224", "pth", "onnxruntime")]
    [InlineData("tiny", "224", "safetensors", "torch")]
    [InlineData("reg", "224", "pth", "torch")]
    [InlineData("reg", "224", "pth", "onnxruntime")]
    [InlineData("reg", "518", "safetensors", "auto")]
    public void WritesTheOfficialOutputs(string config, string @case, string format, string backend)
    {
        var outDir = CliRun.TempDir();
        var (code, _, stderr) = CliRun.Run("features", "--backend", backend,
            "--weights", CliRun.Fixture("dinov2-parity", config, $"weights.{format}"),
            "--input", CliRun.Fixture("dinov2-parity", config, $"input_{@case}.npy"), "--out", outDir);
        Assert.True(code == 0, stderr);
        Assert.Contains($" on {(backend == "auto" ? "onnxruntime" : backend)}:", stderr);
        var outputs = config == "reg" ? new[] { "cls", "patch", "prenorm", "reg" } : ["cls", "patch", "prenorm"];
        Assert.Equal(outputs.Order(), Directory.GetFiles(outDir).Select(Path.GetFileNameWithoutExtension).Order());
        foreach (var name in outputs)
        {
            var expected = Npy.Read(CliRun.Fixture("dinov2-parity", config, $"expected_{@case}_{name}.npy"));
            var actual = Npy.Read(Path.Combine(outDir, $"{name}.npy"));
            Assert.Equal(expected.Shape, actual.Shape);
            var max = expected.Data.Zip(actual.Data, (e, a) => Math.Abs(e - a)).Max();
            Assert.True(max <= 1e-4, $"{name}: max abs error {max:E3}");
        }
    }

    [Fact]
    public void Takes_the_single_image_tensor_that_preprocess_writes()
    {
        var folder = CliRun.TempDir();
        var tensor = Path.Combine(folder, "x.npy");
        var (code, _, stderr) = CliRun.Run("preprocess", "--policy", "center-crop", CliRun.Fixture("images", "good", "rocket.jpg"), "--out", tensor);
        Assert.True(code == 0, stderr);
        Assert.Equal(new long[] { 3, 224, 224 }, Npy.Read(tensor).Shape);
        var outDir = Path.Combine(folder, "features");
        (code, _, stderr) = CliRun.Run("features", "--arch", "vits14", "--weights", "random:0", "--input", tensor, "--out", outDir);
        Assert.True(code == 0, stderr);
        Assert.Equal(new long[] { 1, 384 }, Npy.Read(Path.Combine(outDir, "cls.npy")).Shape);
    }

    [Fact]
    public void RandomWeightsWriteShapesOfTheNamedArchitecture()
    {
        var input = Path.Combine(CliRun.TempDir(), "x.npy");
        Npy.Write(input, [1, 3, 28, 42], new float[3 * 28 * 42]);
        var outDir = CliRun.TempDir();
        var (code, _, stderr) = CliRun.Run("features", "--weights", "random:1", "--arch", "vits14_reg", "--input", input, "--out", outDir);
        Assert.True(code == 0, stderr);
        Assert.Contains("RANDOM", stderr);
        Assert.Equal(new long[] { 1, 4, 384 }, Npy.Read(Path.Combine(outDir, "reg.npy")).Shape);
        Assert.Equal(new long[] { 1, 6, 384 }, Npy.Read(Path.Combine(outDir, "patch.npy")).Shape);
        Assert.Equal(new long[] { 1, 11, 384 }, Npy.Read(Path.Combine(outDir, "prenorm.npy")).Shape);
    }

    [Theory]
    [InlineData("features", "--input")]
    [InlineData("features", "--weights", "random:x", "--input", "a.npy", "--out", "o")]
    [InlineData("bench", "--batch", "0")]
    [InlineData("bench", "--arch", "vitx99")]
    [InlineData("nosuchcommand")]
    public void BadArgumentsExitWithCodeTwoAndOneLine(params string[] args)
    {
        var (code, _, stderr) = CliRun.Run(args);
        Assert.Equal(2, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith("embedctl: ", stderr);
    }

    [Fact]
    public void An_unknown_command_is_named()
    {
        var (code, _, stderr) = CliRun.Run("frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("'frobnicate'", stderr);
    }

    [Fact]
    public void NotACheckpointIsAFailureWithAClearMessage()
    {
        var bogus = Path.Combine(CliRun.TempDir(), "weights.pth");
        File.WriteAllText(bogus, "<html>404</html>");
        var input = Path.Combine(CliRun.TempDir(), "x.npy");
        Npy.Write(input, [1, 3, 14, 14], new float[3 * 14 * 14]);
        var (code, _, stderr) = CliRun.Run("features", "--weights", bogus, "--input", input, "--out", CliRun.TempDir());
        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void EveryCommandHasHelp()
    {
        foreach (var command in new[] { "features", "preprocess", "embed", "bench", "load", "compare" })
        {
            var (code, stdout, _) = CliRun.Run(command, "--help");
            Assert.Equal(0, code);
            Assert.Contains("Usage:", stdout);
        }
    }
}
