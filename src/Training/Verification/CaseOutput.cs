using System.Text.Json;
using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.IO;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Verification;

/// <summary>Writes a case's computed outputs under an output folder and remembers what was written.</summary>
public sealed class CaseOutput(string directory)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly List<string> _files = [];

    public string Directory { get; } = directory;

    public IReadOnlyList<string> Files => _files;

    public void WriteNpy(string relativeName, Tensor tensor) => NpyTensor.Write(Prepare(relativeName), tensor);

    public void WriteSafeTensors(string relativeName, IReadOnlyDictionary<string, Tensor> tensors) =>
        SafeTensorsWriter.Write(Prepare(relativeName), tensors);

    public void WriteJson(string relativeName, object value) =>
        File.WriteAllText(Prepare(relativeName), JsonSerializer.Serialize(value, Indented));

    private string Prepare(string relativeName)
    {
        var path = Path.Combine(Directory, relativeName);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _files.Add(relativeName);
        return path;
    }
}
