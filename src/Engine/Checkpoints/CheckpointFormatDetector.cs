using System.Buffers.Binary;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>Recognises a checkpoint by its content (magic bytes), never by its file extension.</summary>
public static class CheckpointFormatDetector
{
    public const string HuggingFaceConfigFile = "config.json";
    public const string HuggingFaceWeightsFile = "model.safetensors";

    private const int ProbeLength = 9;
    private static ReadOnlySpan<byte> ZipLocalFileMagic => [0x50, 0x4B, 0x03, 0x04];
    private const byte PickleProtocolOpcode = 0x80;

    public static CheckpointFormat Detect(string path)
    {
        if (Directory.Exists(path)) return DetectFolder(path);
        if (!File.Exists(path)) throw new CheckpointException($"Checkpoint '{path}' does not exist.");

        Span<byte> probe = stackalloc byte[ProbeLength];
        int read;
        using (var stream = File.OpenRead(path))
        {
            if (stream.Length == 0) throw new CheckpointException($"Checkpoint '{path}' is an empty file.");
            read = stream.ReadAtLeast(probe, ProbeLength, throwOnEndOfStream: false);
        }
        probe = probe[..read];

        if (probe.StartsWith(ZipLocalFileMagic)) return CheckpointFormat.TorchZip;
        if (LooksLikeSafeTensors(probe)) return CheckpointFormat.SafeTensors;
        if (probe[0] == PickleProtocolOpcode)
            throw new CheckpointException(
                $"Checkpoint '{path}' is a bare pickle (the legacy torch.save format before PyTorch 1.6), which is not supported; re-save it with a current torch.save.");
        throw new CheckpointException(
            $"Checkpoint '{path}' is neither a torch.save zip archive nor a safetensors file (first bytes: {Convert.ToHexString(probe)}).");
    }

    private static CheckpointFormat DetectFolder(string path)
    {
        var missing = new[] { HuggingFaceConfigFile, HuggingFaceWeightsFile }
            .Where(name => !File.Exists(Path.Combine(path, name)))
            .ToList();
        if (missing.Count > 0)
            throw new CheckpointException(
                $"Folder '{path}' is not a Hugging Face model folder: it lacks {string.Join(" and ", missing)}.");
        return CheckpointFormat.HuggingFaceFolder;
    }

    // A safetensors file starts with the little-endian length of its JSON header, whose first byte is '{'.
    // The length itself is checked against the file by the reader, which can then say what is wrong.
    private static bool LooksLikeSafeTensors(ReadOnlySpan<byte> probe) =>
        probe.Length == ProbeLength
        && BinaryPrimitives.ReadUInt64LittleEndian(probe) > 0
        && probe[8] == (byte)'{';
}
