using EmbeddingService.Engine.Model;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>Strict check of a state dict against an architecture: every problem is reported in one exception.</summary>
public static class StateDictValidator
{
    public static void Validate(IReadOnlyDictionary<string, Tensor> state, VitConfig config)
    {
        var expected = VitParameterShapes.For(config);
        var problems = new List<string>();
        foreach (var (key, shape) in expected.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!state.TryGetValue(key, out var tensor))
                problems.Add($"missing '{key}' (expected {Format(shape)})");
            else if (!tensor.shape.SequenceEqual(shape))
                problems.Add($"wrong shape for '{key}': expected {Format(shape)}, got {Format(tensor.shape)}");
        }
        foreach (var (key, tensor) in state.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!expected.ContainsKey(key)) problems.Add($"unexpected '{key}' {Format(tensor.shape)}");
        }
        if (problems.Count > 0)
            throw new CheckpointException($"State dict does not match {config} ({problems.Count} problems):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems));
    }

    public static string Format(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
