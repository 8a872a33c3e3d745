using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>
/// Reads the tensors of any supported checkpoint, under the names the file uses, as float32 CPU tensors that the
/// caller owns. The format is taken from the content (see <see cref="CheckpointFormatDetector"/>).
/// </summary>
public static class StateDictReader
{
    public static Dictionary<string, Tensor> Read(string path)
    {
        TorchRuntime.EnsureInitialized();
        var format = CheckpointFormatDetector.Detect(path);
        return Read(WeightsFile(path, format), format);
    }

    /// <summary>The file holding the tensors: the path itself, or model.safetensors inside a Hugging Face folder.</summary>
    public static string WeightsFile(string path, CheckpointFormat format) =>
        format == CheckpointFormat.HuggingFaceFolder ? Path.Combine(path, CheckpointFormatDetector.HuggingFaceWeightsFile) : path;

    internal static Dictionary<string, Tensor> Read(string weightsFile, CheckpointFormat format) =>
        format == CheckpointFormat.TorchZip ? TorchZipReader.Read(weightsFile) : SafeTensorsReader.Read(weightsFile);
}
