using EmbeddingService.Engine.Model;

namespace EmbeddingService.Engine.Inference;

/// <summary>What a loaded model is: architecture, where its weights came from, and whether they are random.</summary>
public sealed record ModelDescriptor(string Architecture, VitConfig Config, string WeightsFingerprint, string WeightsSource, bool IsRandom)
{
    /// <summary>A one-line description that never hides random weights.</summary>
    public string DisplayName => IsRandom
        ? $"dinov2-{Architecture} (RANDOM weights, {WeightsSource}: not a trained model)"
        : $"dinov2-{Architecture}";
}
