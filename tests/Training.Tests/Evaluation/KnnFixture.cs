using System.Text.Json;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Evaluation;

/// <summary>One case of the dinov2-knn-parity set: its manifest entry and arrays.</summary>
internal sealed class KnnFixture(string name)
{
    public const string Set = "dinov2-knn-parity";

    public static TheoryData<string> Cases => ["basic", "hard", "per_class"];

    public string Name { get; } = name;

    public JsonElement Case { get; } = TrainFixtures.Manifest(Set).GetProperty("cases").GetProperty(name);

    public JsonElement Config => Case.GetProperty("config");

    public int[] Ints(string key) => [.. Config.GetProperty(key).EnumerateArray().Select(e => e.GetInt32())];

    public Tensor File(string key) => Npy(Case.GetProperty("files").GetProperty(key).GetString()!);

    public static Tensor Npy(string relativeName) => TrainFixtures.Npy(Set, relativeName);
}
