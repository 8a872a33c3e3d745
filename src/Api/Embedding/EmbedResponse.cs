using System.Text.Json.Serialization;
using EmbeddingService.Engine.Inference;

namespace EmbeddingService.Api.Embedding;

/// <summary>The JSON body of a successful POST /v1/embed.</summary>
public sealed record EmbedResponse(
    string Model,
    [property: JsonPropertyName("random_weights")] bool RandomWeights,
    int Dim,
    string Pooling,
    bool Normalized,
    IReadOnlyList<EmbedResponse.Item> Data,
    EmbedResponse.UsageInfo Usage,
    EmbedResponse.TimingInfo Timings)
{
    public sealed record Item(
        int Index,
        string? Id,
        float[] Embedding,
        [property: JsonPropertyName("grid_height")] int GridHeight,
        [property: JsonPropertyName("grid_width")] int GridWidth,
        [property: JsonPropertyName("patch_features"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float[][]? PatchFeatures);

    public sealed record UsageInfo(int Images, long Tokens);

    public sealed record TimingInfo(
        [property: JsonPropertyName("decode_ms")] double DecodeMs,
        [property: JsonPropertyName("queue_ms")] double QueueMs,
        [property: JsonPropertyName("inference_ms")] double InferenceMs);

    public static EmbedResponse From(EmbedResult result, EmbedRequestOptions options)
    {
        var model = result.Model ?? throw new ArgumentException("a failed result has no embeddings", nameof(result));
        var items = result.Items.Select(o =>
        {
            var e = o.Embedding;
            var patches = e.PatchFeatures is null ? null : e.PatchFeatures.Chunk(model.Config.EmbedDim).ToArray();
            return new Item(o.Index, o.Id, e.Vector, e.GridHeight, e.GridWidth, patches);
        }).ToArray();
        return new EmbedResponse(
            model.DisplayName,
            model.IsRandom,
            items[0].Embedding.Length,
            options.Pooling.ToName(),
            options.Normalize,
            items,
            new UsageInfo(items.Length, result.Tokens),
            new TimingInfo(Math.Round(result.DecodeMs, 3), Math.Round(result.QueueMs, 3), Math.Round(result.InferenceMs, 3)));
    }
}
