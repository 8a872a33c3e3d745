using EmbeddingService.Engine.Text;
using System.Text.Json.Serialization;
using EmbeddingService.Api.Collections;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Inference;

namespace EmbeddingService.Api.Admin;

/// <summary>The body of GET /v1/info: the model, its output widths, preprocessing, batching, request limits and versions.</summary>
public sealed record ModelInfo(
    string Model,
    string Architecture,
    [property: JsonPropertyName("random_weights")] bool RandomWeights,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Warning,
    [property: JsonPropertyName("weights_fingerprint")] string WeightsFingerprint,
    [property: JsonPropertyName("weights_source")] string WeightsSource,
    [property: JsonPropertyName("embed_dim")] int EmbedDim,
    int Depth,
    int Heads,
    int Registers,
    [property: JsonPropertyName("patch_size")] int PatchSize,
    string Device,
    string Backend,
    IReadOnlyDictionary<string, int> Dims,
    PreprocessingInfo Preprocessing,
    BatchingInfo Batching,
    LimitsInfo Limits,
    VersionInfo Versions)
{
    public static ModelInfo Of(LoadedModel model, ServingOptions serving, RetrievalOptions retrieval)
    {
        var d = model.Descriptor;
        var warning = d.IsRandom ? "This service runs RANDOM weights: its embeddings carry no meaning. Configure Model:Weights with a real checkpoint." : null;
        var dims = Enum.GetValues<Pooling>().ToDictionary(p => p.ToName(), p => p.Width(d.Config.EmbedDim));
        // The file or folder name only: a server path tells a client nothing it needs and an attacker something.
        var source = Path.GetFileName(Path.TrimEndingDirectorySeparator(d.WeightsSource));
        return new ModelInfo(d.DisplayName, d.Architecture, d.IsRandom, warning, d.WeightsFingerprint, source,
            d.Config.EmbedDim, d.Config.Depth, d.Config.NumHeads, d.Config.NumRegisters, d.Config.PatchSize, model.Target.Describe(),
            KebabCaseNames<InferenceBackend>.Name(model.Backend), dims, new PreprocessingInfo(KebabCaseNames<ResizePolicy>.Name(serving.Policy), serving.Resolution), BatchingInfo.Of(serving), LimitsInfo.Of(serving, retrieval, d.Config.PatchSize, d.Config.NumRegisters), VersionInfo.Current);
    }
}
