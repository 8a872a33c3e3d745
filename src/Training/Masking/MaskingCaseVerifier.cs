using System.Text.Json;
using EmbeddingService.Training.Verification;

namespace EmbeddingService.Training.Masking;

/// <summary>
/// The masking case: for each of the manifest's <c>settings</c> (grid, n_images, crops_per_batch, batches,
/// max_num_patches), collates as many seeded batches with the official config's mask ratios and probability
/// and writes their <see cref="MaskingStatistics"/> to <c>result.json</c> under <c>settings.&lt;name&gt;</c>.
/// Only distributions can be compared: the official masks come from Python's <c>random</c>.
/// </summary>
public sealed class MaskingCaseVerifier(int seed = 0) : ICaseVerifier
{
    public string Kind => "masking";

    public void Verify(CaseFolder folder, CaseOutput output)
    {
        var settings = new Dictionary<string, MaskingStatistics>();
        var index = 0;
        foreach (var setting in folder.Manifest.GetProperty("settings").EnumerateObject())
            settings[setting.Name] = Measure(setting.Value, seed + index++);
        output.WriteJson("result.json", new { @case = Kind, settings });
    }

    private static MaskingStatistics Measure(JsonElement setting, int seed)
    {
        var grid = setting.GetProperty("grid");
        var random = new Random(seed);
        var generator = new MaskingGenerator(grid[0].GetInt32(), grid[1].GetInt32(), setting.GetProperty("max_num_patches").GetDouble(), random);
        return MaskingStatistics.Measure(new BatchCollator(generator, random), setting.GetProperty("n_images").GetInt32(),
            setting.GetProperty("crops_per_batch").GetInt32(), setting.GetProperty("batches").GetInt32());
    }
}
