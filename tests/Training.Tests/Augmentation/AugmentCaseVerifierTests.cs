using System.Text.Json;
using EmbeddingService.Engine.IO;
using EmbeddingService.Training.Augmentation;
using EmbeddingService.Training.Verification;

namespace EmbeddingService.Training.Tests.Augmentation;

/// <summary>verify-case on the public augment-parity folder: every listed file, within its op's tolerance, and the statistics files.</summary>
public sealed class AugmentCaseVerifierTests(AugmentCaseVerifierTests.VerifiedFolder verified) : IClassFixture<AugmentCaseVerifierTests.VerifiedFolder>
{
    /// <summary>The public folder verified once into a temporary directory.</summary>
    public sealed class VerifiedFolder : IDisposable
    {
        public VerifiedFolder()
        {
            Folder = new CaseFolder(TrainFixtures.Folder(AugmentFixtures.Set), AugmentFixtures.Manifest, Path.Combine(TrainFixtures.Root, "images", "good"));
            Output = new CaseOutput(Directory.CreateTempSubdirectory("augment-verify-").FullName);
            new AugmentCaseVerifier().Verify(Folder, Output);
        }

        public CaseFolder Folder { get; }

        public CaseOutput Output { get; }

        public void Dispose() => Directory.Delete(Output.Directory, recursive: true);
    }

    private readonly CaseFolder _folder = verified.Folder;
    private readonly CaseOutput _output = verified.Output;
    private readonly string _directory = verified.Output.Directory;

    [Fact]
    public void Writes_every_listed_file_within_the_tolerance_of_its_op()
    {

        var checkedFiles = 0;
        foreach (var entry in AugmentFixtures.Manifest.GetProperty("cases").EnumerateObject())
        {
            if (!entry.Value.TryGetProperty("op", out var op) || !entry.Value.TryGetProperty("files", out var files))
                continue;
            foreach (var file in files.EnumerateObject())
            {
                var name = file.Value.GetString()!;
                Assert.Contains(name, _output.Files);
                using var expected = _folder.ReadNpy(name);
                using var actual = NpyTensor.Read(Path.Combine(_directory, name));
                var (max, mean) = ToleranceOf(op.GetString()!, file.Name);
                LevelTolerance.Within(expected, actual, max, mean, name);
                checkedFiles++;
            }
        }
        Assert.Equal(41, checkedFiles);
    }

    [Fact]
    public void Writes_the_distribution_with_the_fixtures_keys_and_a_result_summary()
    {

        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder.Directory, "distribution.json"))).RootElement.GetProperty("per_crop_type");
        var actual = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "distribution.json"))).RootElement.GetProperty("per_crop_type");
        AssertSameKeys(expected, actual, "per_crop_type");
        var global2Blur = actual.GetProperty("global2").GetProperty("blur");
        Assert.InRange(global2Blur.GetProperty("rate").GetDouble(), 0.9 - 4 * global2Blur.GetProperty("std_err").GetDouble(), 0.9 + 0.01);

        var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "result.json"))).RootElement;
        Assert.Equal(34, result.GetProperty("cases_computed").GetInt32());
        Assert.Equal(0.0, result.GetProperty("global1_blur_rate").GetDouble());
    }

    /// <summary>The README's tolerances: exact for flip, colour, grayscale and solarize; one level for resampling and blur; the chain's.</summary>
    private static (double Max, double Mean) ToleranceOf(string op, string file) => file switch
    {
        "output" when op.Contains("DataAugmentationDINO", StringComparison.Ordinal) => (0.036, 2e-4),
        "before_normalize" => (2, 0.01),
        "after_crop_flip" => (1, 0.01),
        _ when op.Contains("resized_crop", StringComparison.Ordinal) || op.Contains("gaussian_blur", StringComparison.Ordinal) => (1, 0.01),
        _ => (0, 0),
    };

    private static void AssertSameKeys(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind != JsonValueKind.Object)
            return;
        Assert.True(actual.ValueKind == JsonValueKind.Object, $"{path} should be an object");
        Assert.Equal(expected.EnumerateObject().Select(p => p.Name).Order(), actual.EnumerateObject().Select(p => p.Name).Order());
        foreach (var property in expected.EnumerateObject())
            AssertSameKeys(property.Value, actual.GetProperty(property.Name), $"{path}.{property.Name}");
    }
}
