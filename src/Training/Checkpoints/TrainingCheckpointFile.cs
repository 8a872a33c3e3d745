using System.Collections;
using EmbeddingService.Engine.Checkpoints;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Checkpoints;

/// <summary>
/// The official training layout of a student or teacher: <c>backbone.*</c>, <c>dino_head.*</c>, <c>ibot_head.*</c>. As a
/// .pth it is <c>{"teacher": state_dict}</c>, the layout of the official <c>teacher_checkpoint.pth</c>; as .safetensors
/// the same names, flat. Reads either, and flat .pth state dicts, so runs move between the official trainer and this one.
/// </summary>
public static class TrainingCheckpointFile
{
    public const string TeacherKey = "teacher";

    public static void Write(string path, IReadOnlyDictionary<string, Tensor> stateDict)
    {
        if (IsSafeTensors(path))
        {
            SafeTensorsWriter.Write(path, stateDict);
            return;
        }
        var contiguous = stateDict.ToDictionary(entry => entry.Key, entry => entry.Value.detach().cpu().contiguous());
        try
        {
            var inner = new Hashtable();
            foreach (var (name, tensor) in contiguous) inner[name] = tensor;
            using var stream = File.Create(path);
            PyTorchPickler.PickleStateDict(stream, new Hashtable { [TeacherKey] = inner });
        }
        finally
        {
            foreach (var tensor in contiguous.Values) tensor.Dispose();
        }
    }

    /// <summary>The flat state dict (float32 CPU tensors the caller owns) of a .safetensors, a {"teacher": ...} .pth or a flat .pth.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (IsSafeTensors(path)) return SafeTensorsReader.Read(path);
        Hashtable unpickled;
        try
        {
            using var stream = File.OpenRead(path);
            unpickled = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: false, skipTensorRead: false);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not IOException)
        {
            throw new CheckpointException($"'{path}' is not a readable torch.save archive ({e.GetType().Name}: {e.Message})", e);
        }
        var entries = unpickled[TeacherKey] is Hashtable teacher ? teacher : unpickled;
        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry entry in entries)
        {
            if (entry.Value is not Tensor tensor)
                throw new CheckpointException($"'{path}': entry '{entry.Key}' is not a tensor; expected a state dict or {{\"{TeacherKey}\": state dict}}");
            result[(string)entry.Key] = tensor.dtype == ScalarType.Float32 ? tensor : tensor.to_type(ScalarType.Float32);
        }
        return result;
    }

    private static bool IsSafeTensors(string path) => path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);
}
