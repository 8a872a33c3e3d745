using static TorchSharp.torch;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>A state dict under the official DINOv2 key names, with notes on what the mapping dropped or changed.</summary>
public sealed record MappedStateDict(Dictionary<string, Tensor> State, IReadOnlyList<string> Notes);
