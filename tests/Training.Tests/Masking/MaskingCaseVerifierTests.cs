using System.Text.Json;
using System.Text.Json.Nodes;
using EmbeddingService.Training.Masking;
using EmbeddingService.Training.Verification;

namespace EmbeddingService.Training.Tests.Masking;

public sealed class MaskingCaseVerifierTests
{
    [Fact]
    public void Writes_every_setting_of_the_manifest_under_its_keys()
    {
        // The verifier runs as many batches as the manifest records; a copy with fewer keeps the test short
        // and shows the settings are read from the manifest.
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(TrainFixtures.Folder("dinov2-train-parity", "masking"), "manifest.json")))!;
        manifest["settings"]!["grid16_batch8"]!["batches"] = 500;
        manifest["settings"]!["grid4_batch2"]!["batches"] = 4000;
        var output = Directory.CreateTempSubdirectory("masking-case-");
        try
        {
            var folder = new CaseFolder(output.FullName, JsonSerializer.SerializeToElement(manifest), output.FullName);
            var verifier = new MaskingCaseVerifier(seed: 23);

            verifier.Verify(folder, new CaseOutput(Path.Combine(output.FullName, "out")));

            Assert.Equal("masking", verifier.Kind);
            var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.FullName, "out", "result.json"))).RootElement;
            var recorded = TrainFixtures.Manifest("dinov2-train-parity", "masking").GetProperty("settings");
            Assert.Equal(recorded.EnumerateObject().Select(p => p.Name), result.GetProperty("settings").EnumerateObject().Select(p => p.Name));
            foreach (var setting in recorded.EnumerateObject())
            {
                var ours = result.GetProperty("settings").GetProperty(setting.Name);
                Assert.Equal(manifest["settings"]![setting.Name]!["batches"]!.GetValue<int>(), ours.GetProperty("batches").GetInt32());
                RecordedMaskingStatistics.AssertMatches(setting.Value, ours, setting.Name);
            }
        }
        finally { output.Delete(recursive: true); }
    }
}
