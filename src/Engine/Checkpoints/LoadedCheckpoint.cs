using EmbeddingService.Engine.Model;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>A validated backbone checkpoint under official DINOv2 keys; disposing it disposes its tensors.</summary>
public sealed class LoadedCheckpoint : IDisposable
{
    public required VitConfig Config { get; init; }

    /// <summary>float32 CPU tensors under the official keys, exactly <see cref="VitParameterShapes.For"/> of <see cref="Config"/>.</summary>
    public required Dictionary<string, Tensor> State { get; init; }

    /// <summary>"sha256:" and the first 16 hex digits of the SHA-256 of the weights file.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The path the checkpoint was loaded from.</summary>
    public required string Source { get; init; }

    /// <summary>One of "torch-zip", "safetensors", "huggingface".</summary>
    public required string Format { get; init; }

    /// <summary>What the loader changed or ignored on the way (dropped classifier head, merged qkv, ...).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public void Dispose()
    {
        foreach (var tensor in State.Values) tensor.Dispose();
    }
}
