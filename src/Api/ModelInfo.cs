using System.Text.Json.Serialization;
using EmbeddingService.Engine.Inference;

namespace EmbeddingService.Api;

/// <summary>The body of GET /v1/info.</summary>
public sealed record ModelInfo(
    string Model,
    string Architecture,
    [property: JsonPropertyName("random_weights")] bool RandomWeights,
    [property: JsonPropertyName("weights_fingerprint")] string WeightsFingerprint,
    [property: JsonPropertyName("weights_source")] string WeightsSource,
    [property: JsonPropertyName("embed_dim")] int EmbedDim,
    int Depth,
    int Heads,
    int Registers,
    [property: JsonPropertyName("patch_size")] int PatchSize,
    string Device)
{
    public static ModelInfo Of(LoadedModel model)
    {
        var d = model.Descriptor;
        return new ModelInfo(d.DisplayName, d.Architecture, d.IsRandom, d.WeightsFingerprint, d.WeightsSource,
            d.Config.EmbedDim, d.Config.Depth, d.Config.NumHeads, d.Config.NumRegisters, d.Config.PatchSize, model.Target.Describe());
    }
}
