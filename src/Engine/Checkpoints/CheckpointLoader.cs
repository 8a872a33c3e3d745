using System.Security.Cryptography;
using EmbeddingService.Engine.Runtime;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>
/// Loads a DINOv2 backbone from a torch.save zip, a safetensors file or a Hugging Face model folder: reads the
/// tensors, maps them to the official keys, infers the architecture and validates every tensor against it.
/// </summary>
public static class CheckpointLoader
{
    private const int FingerprintHexDigits = 16;

    public static LoadedCheckpoint Load(string path, CheckpointLoadOptions options)
    {
        TorchRuntime.EnsureInitialized();
        var format = CheckpointFormatDetector.Detect(path);
        var weightsFile = StateDictReader.WeightsFile(path, format);
        var huggingFaceConfig = format == CheckpointFormat.HuggingFaceFolder
            ? HuggingFaceConfig.Read(Path.Combine(path, CheckpointFormatDetector.HuggingFaceConfigFile))
            : null;
        var effectiveOptions = huggingFaceConfig?.Complete(options) ?? ArchitectureSidecar.Complete(weightsFile, options);

        var mapped = OfficialKeyMapper.ToOfficial(StateDictReader.Read(weightsFile, format));
        try
        {
            var config = ArchitectureInference.Infer(mapped.State, effectiveOptions);
            huggingFaceConfig?.EnsureMatches(config);
            StateDictValidator.Validate(mapped.State, config);
            return new LoadedCheckpoint
            {
                Config = config,
                State = mapped.State,
                Fingerprint = Fingerprint(weightsFile),
                Source = path,
                Format = FormatName(format),
                Notes = mapped.Notes,
            };
        }
        catch
        {
            foreach (var tensor in mapped.State.Values) tensor.Dispose();
            throw;
        }
    }

    /// <summary>"sha256:" and the first 16 hex digits of the SHA-256 of the file's bytes.</summary>
    public static string Fingerprint(string file)
    {
        using var stream = File.OpenRead(file);
        var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        return "sha256:" + hash[..FingerprintHexDigits];
    }

    private static string FormatName(CheckpointFormat format) => format switch
    {
        CheckpointFormat.TorchZip => "torch-zip",
        CheckpointFormat.SafeTensors => "safetensors",
        CheckpointFormat.HuggingFaceFolder => "huggingface",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}
