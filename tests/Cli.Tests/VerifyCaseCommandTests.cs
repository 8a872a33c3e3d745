using System.Text.Json;
using EmbeddingService.Engine.IO;

namespace EmbeddingService.Cli.Tests;

/// <summary>
/// Every public parity case goes through <c>embedctl verify-case</c>: it is recognised, computed, and written under the
/// case's own file names with the expected shapes and dtypes (the values are checked per kind in Training.Tests).
/// </summary>
public sealed class VerifyCaseCommandTests : IDisposable
{
    private static string Fixtures => Path.Combine(AppContext.BaseDirectory, "fixtures");
    private readonly string _out = Directory.CreateTempSubdirectory("verify-case-").FullName;

    public static TheoryData<string, string> PublicCases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var folder in Directory.GetDirectories(Path.Combine(Fixtures, "dinov2-train-parity")).Order(StringComparer.Ordinal))
            cases.Add(Path.Combine("dinov2-train-parity", Path.GetFileName(folder)), Path.GetFileName(folder));
        cases.Add("dinov2-augment-parity", "augment");
        cases.Add("dinov2-knn-parity", "knn");
        return cases;
    }

    [Theory]
    [MemberData(nameof(PublicCases))]
    public void Computes_every_public_case_under_its_own_file_names(string caseFolder, string kind)
    {
        var folder = Path.Combine(Fixtures, caseFolder);
        var (code, stdout, stderr) = CliRun.Run("verify-case", folder, "--out", _out);
        Assert.True(code == 0, stderr);
        using var line = JsonDocument.Parse(stdout);
        Assert.Equal(kind, line.RootElement.GetProperty("kind").GetString());
        var files = line.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Contains("result.json", files);
        foreach (var file in files.Where(f => f != "result.json"))
        {
            var expected = Path.Combine(folder, file);
            Assert.True(File.Exists(expected), $"{file} is not a file name of the case");
            Assert.True(File.Exists(Path.Combine(_out, file)), $"{file} was listed but not written");
            if (!file.EndsWith(".npy", StringComparison.Ordinal)) continue;
            using var want = NpyTensor.Read(expected);
            using var got = NpyTensor.Read(Path.Combine(_out, file));
            Assert.Equal(want.dtype, got.dtype);
            Assert.Equal(want.shape, got.shape);
        }
    }

    [Fact]
    public void An_unknown_kind_exits_2_listing_the_known_ones()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_out, "case")).FullName;
        File.WriteAllText(Path.Combine(folder, "manifest.json"), """{"case": "not_a_case"}""");
        var (code, _, stderr) = CliRun.Run("verify-case", folder, "--out", Path.Combine(_out, "result"));
        Assert.Equal(2, code);
        Assert.Contains("not_a_case", stderr);
        Assert.Contains("train_step", stderr);
        Assert.Contains("augment", stderr);
    }

    [Fact]
    public void A_folder_without_a_manifest_fails_with_one_line()
    {
        var (code, _, stderr) = CliRun.Run("verify-case", _out, "--out", Path.Combine(_out, "result"));
        Assert.Equal(1, code);
        Assert.Contains("manifest.json", stderr);
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
