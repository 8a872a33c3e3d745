using System.Text.Json;
using EmbeddingService.Engine.IO;
using EmbeddingService.Training.Evaluation;
using EmbeddingService.Training.Verification;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Evaluation;

public sealed class KnnCaseVerifierTests
{
    [Fact]
    public void Writes_every_expected_file_and_the_accuracies_under_the_manifest_keys()
    {
        var set = TrainFixtures.Folder(KnnFixture.Set);
        var manifest = TrainFixtures.Manifest(KnnFixture.Set);
        var output = Directory.CreateTempSubdirectory("knn-case-");
        try
        {
            var verifier = new KnnCaseVerifier();
            var written = new CaseOutput(output.FullName);

            verifier.Verify(new CaseFolder(set, manifest, set), written);

            Assert.Equal("knn", verifier.Kind);
            var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.FullName, "result.json"))).RootElement.GetProperty("cases");
            foreach (var knnCase in manifest.GetProperty("cases").EnumerateObject())
            {
                using var scope = NewDisposeScope();
                void Ours(string relativeName)
                {
                    Assert.Contains(relativeName, written.Files);
                    Compare(KnnFixture.Npy(relativeName), NpyTensor.Read(Path.Combine(output.FullName, relativeName)), relativeName);
                }

                foreach (var file in knnCase.Value.GetProperty("files").EnumerateObject().Where(f => !f.Name.EndsWith("_raw") && !f.Name.EndsWith("_labels")))
                    Ours(file.Value.GetString()!);
                var ourCase = result.GetProperty(knnCase.Name);
                foreach (var official in knnCase.Value.GetProperty("results").EnumerateObject())
                {
                    Ours(official.Value.GetProperty("probas").GetString()!);
                    Ours(official.Value.GetProperty("pred").GetString()!);
                    Assert.Equal(official.Value.GetProperty("top-1").GetDouble(), ourCase.GetProperty("results").GetProperty(official.Name).GetProperty("top-1").GetDouble(), 1e-6);
                    var bounds = official.Value.GetProperty("top-5_detail").GetProperty("tie_independent_bounds");
                    Assert.InRange(ourCase.GetProperty("results").GetProperty(official.Name).GetProperty("top-5").GetDouble(), bounds[0].GetDouble() - 1e-6, bounds[1].GetDouble() + 1e-6);
                }
                foreach (var average in knnCase.Value.GetProperty("accuracy_averaged_over_tries").EnumerateObject())
                    Assert.Equal(average.Value.GetProperty("top-1").GetDouble(),
                        ourCase.GetProperty("accuracy_averaged_over_tries").GetProperty(average.Name).GetProperty("top-1").GetDouble(), 1e-6);
            }
        }
        finally { output.Delete(recursive: true); }
    }

    /// <summary>Same dtype and shape; values within the README's tolerances (indices as sets at each k boundary).</summary>
    private static void Compare(Tensor expected, Tensor actual, string name)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        var file = Path.GetFileName(name);
        if (file.StartsWith("topk_neighbor_indices"))
            Assert.True(expected.sort(1).Values.eq(actual.sort(1).Values).all().item<bool>(), name);
        else if (file.StartsWith("pred_"))
            Assert.True(expected.eq(actual).all().item<bool>(), name);
        else
            Tolerance.Within(expected, actual, file.EndsWith("_normalized.npy") ? 1e-6 : 1e-5, name);
    }
}
