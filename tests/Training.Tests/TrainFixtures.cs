using System.Text.Json;
using EmbeddingService.Engine.IO;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests;

/// <summary>Paths, manifests and arrays of the training fixtures copied into the test output (tests/fixtures).</summary>
internal static class TrainFixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");

    /// <summary>A case folder of a fixture set, e.g. ("dinov2-train-parity", "dino_loss").</summary>
    public static string Folder(string set, string name = "") => Path.Combine(Root, set, name);

    public static Tensor Npy(string set, string file) => NpyTensor.Read(Path.Combine(Root, set, file));

    public static JsonElement Manifest(string set, string caseName = "") =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, set, caseName, "manifest.json"))).RootElement;

    public static string GoodImage(string name) => Path.Combine(Root, "images", "good", name);
}
