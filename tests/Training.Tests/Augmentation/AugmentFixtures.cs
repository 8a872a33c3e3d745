using System.Text.Json;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Training.Augmentation;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Augmentation;

/// <summary>The dinov2-augment-parity fixture set: its cases, inputs, expected arrays and source images.</summary>
internal static class AugmentFixtures
{
    public const string Set = "dinov2-augment-parity";

    public static JsonElement Manifest { get; } = TrainFixtures.Manifest(Set);

    public static JsonElement Case(string name) => Manifest.GetProperty("cases").GetProperty(name);

    public static string ExpectedFile(string caseName, string key = "output") =>
        Case(caseName).GetProperty("files").GetProperty(key).GetString()!;

    public static Tensor Expected(string caseName, string key = "output") => TrainFixtures.Npy(Set, ExpectedFile(caseName, key));

    /// <summary>A fresh copy of an op input (inputs/&lt;name&gt;.npy): the ops work in place.</summary>
    public static RgbImage Input(string name)
    {
        using var hwc = TrainFixtures.Npy(Set, $"inputs/{name}.npy");
        return RgbImageTensors.FromHwc(hwc);
    }

    public static RgbImage Source(string imageName) =>
        new ImageDecoder().Decode(File.ReadAllBytes(TrainFixtures.GoodImage(imageName)));
}
