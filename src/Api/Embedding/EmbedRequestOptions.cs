using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Inference;

namespace EmbeddingService.Api.Embedding;

/// <summary>Per-request embedding options (query string, JSON "options" or gRPC), defaults from configuration.</summary>
public sealed record EmbedRequestOptions(Pooling Pooling, bool Normalize, ResizePolicy Policy, int Resolution, bool PatchFeatures)
{
    public EmbedOptions ToEmbedOptions() => new() { Pooling = Pooling, Normalize = Normalize, IncludePatchFeatures = PatchFeatures };
}
