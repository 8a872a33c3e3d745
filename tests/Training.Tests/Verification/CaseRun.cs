using System.Text.Json;
using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.IO;
using EmbeddingService.Engine.Runtime;
using EmbeddingService.Training.Verification;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Verification;

/// <summary>
/// One case verifier run on a dinov2-train-parity case into a temporary folder; checks on construction that it wrote
/// exactly the case's expected files (every file of the manifest that is not one of <c>inputs</c>) and result.json.
/// </summary>
internal sealed class CaseRun : IDisposable
{
    public const string ResultFile = "result.json";
    private const string Set = "dinov2-train-parity";
    private readonly DirectoryInfo _out;
    private readonly string _case;

    public CaseRun(ICaseVerifier verifier, string caseName, params string[] inputs)
    {
        TorchRuntime.EnsureInitialized();
        _case = TrainFixtures.Folder(Set, caseName);
        Manifest = TrainFixtures.Manifest(Set, caseName);
        _out = Directory.CreateTempSubdirectory($"{caseName}-case-");
        var output = new CaseOutput(_out.FullName);
        verifier.Verify(new CaseFolder(_case, Manifest, TrainFixtures.Folder("images", "good")), output);

        Assert.Equal(Manifest.GetProperty("case").GetString(), verifier.Kind);
        var expected = Manifest.GetProperty("files").EnumerateObject().Select(f => f.Name).Except(inputs).Order();
        Written = [.. output.Files.Where(f => f != ResultFile)];
        Assert.Equal(expected, Written.Order());
    }

    public JsonElement Manifest { get; }

    /// <summary>The expected files written, result.json aside.</summary>
    public IReadOnlyList<string> Written { get; }

    public JsonElement Result => ReadJson(Path.Combine(_out.FullName, ResultFile));

    public Tensor ExpectedNpy(string file) => NpyTensor.Read(Path.Combine(_case, file));

    public Tensor ActualNpy(string file) => NpyTensor.Read(Path.Combine(_out.FullName, file));

    public Dictionary<string, Tensor> ExpectedSafeTensors(string file) => SafeTensorsReader.Read(Path.Combine(_case, file));

    public Dictionary<string, Tensor> ActualSafeTensors(string file) => SafeTensorsReader.Read(Path.Combine(_out.FullName, file));

    public JsonElement ExpectedJson(string file) => ReadJson(Path.Combine(_case, file));

    public JsonElement ActualJson(string file) => ReadJson(Path.Combine(_out.FullName, file));

    /// <summary>Every written .npy within <paramref name="atol"/> of the case's, with the same dtype.</summary>
    public void AllNpyWithin(double atol)
    {
        using var scope = NewDisposeScope();
        foreach (var file in Written)
        {
            var (expected, actual) = (ExpectedNpy(file), ActualNpy(file));
            Assert.Equal(expected.dtype, actual.dtype);
            Tolerance.Within(expected, actual, atol, file);
        }
    }

    private static JsonElement ReadJson(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    public void Dispose() => _out.Delete(recursive: true);
}
