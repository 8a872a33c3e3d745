using System.Collections;
using System.IO.Compression;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>
/// Reads a flat state dict saved with torch.save (the zip format of PyTorch 1.6 and later) into float32 CPU
/// tensors that the caller owns. The archive is checked first so that a file which is not a torch.save archive
/// is reported as such instead of surfacing as an error deep inside the unpickler.
/// </summary>
public static class TorchZipReader
{
    private const string PickleEntrySuffix = "data.pkl";

    public static Dictionary<string, Tensor> Read(string path)
    {
        try
        {
            CheckArchive(path);
            using var stream = File.OpenRead(path);
            return ToFloat32StateDict(PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: false, skipTensorRead: false), path);
        }
        catch (CheckpointException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The pickle and zip libraries signal corrupt input with many exception types (InvalidDataException,
            // PickleException, InvalidCastException, IndexOutOfRange, ...); all mean the same to a caller.
            throw new CheckpointException($"torch.save archive '{path}' could not be read ({e.GetType().Name}: {e.Message}); it is corrupt or not a state dict.", e);
        }
    }

    private static void CheckArchive(string path)
    {
        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointException($"torch.save archive '{path}' is not a readable zip file, most likely truncated: {e.Message}", e);
        }
        using (archive)
        {
            if (!archive.Entries.Any(entry => entry.Name.EndsWith(PickleEntrySuffix, StringComparison.Ordinal)))
                throw new CheckpointException($"Zip archive '{path}' has no {PickleEntrySuffix} entry, so it was not written by torch.save.");
        }
    }

    private static Dictionary<string, Tensor> ToFloat32StateDict(Hashtable unpickled, string path)
    {
        var tensors = new Dictionary<string, Tensor>();
        var notTensors = new List<string>();
        foreach (DictionaryEntry item in unpickled)
        {
            var key = item.Key.ToString() ?? "";
            if (item.Value is not Tensor tensor)
            {
                notTensors.Add(key);
                continue;
            }
            if (tensor.dtype == ScalarType.Float32)
            {
                tensors.Add(key, tensor);
            }
            else
            {
                using (tensor) tensors.Add(key, tensor.to_type(ScalarType.Float32));
            }
        }
        if (notTensors.Count > 0)
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
            throw new CheckpointException(
                $"torch.save archive '{path}' is not a flat state dict: entries {string.Join(", ", notTensors.Order(StringComparer.Ordinal))} are not tensors (a training checkpoint must have its model state dict extracted first).");
        }
        return tensors;
    }
}
