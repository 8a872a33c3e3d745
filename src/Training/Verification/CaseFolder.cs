using System.Text.Json;
using EmbeddingService.Engine.IO;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Verification;

/// <summary>A case folder: its manifest and its input files; source images are looked up in <see cref="ImagesDirectory"/>.</summary>
public sealed class CaseFolder(string directory, JsonElement manifest, string imagesDirectory)
{
    public string Directory { get; } = directory;

    public JsonElement Manifest { get; } = manifest;

    public string ImagesDirectory { get; } = imagesDirectory;

    public string PathOf(string relativeName) => Path.Combine(Directory, relativeName);

    public Tensor ReadNpy(string relativeName) => NpyTensor.Read(PathOf(relativeName));
}
