using System.Text.Json.Serialization;
using EmbeddingService.Api.Collections;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting;

namespace EmbeddingService.Api.Admin;

/// <summary>Every request limit the service enforces, so that a client can size its requests without a refusal.</summary>
public sealed record LimitsInfo(
    [property: JsonPropertyName("max_body_bytes")] long MaxBodyBytes,
    [property: JsonPropertyName("max_images_per_request")] int MaxImagesPerRequest,
    [property: JsonPropertyName("max_pixels")] long MaxPixels,
    [property: JsonPropertyName("max_resolution")] int MaxResolution,
    [property: JsonPropertyName("max_center_crop_resolution")] int MaxCenterCropResolution,
    [property: JsonPropertyName("max_image_tokens")] int MaxImageTokens,
    [property: JsonPropertyName("max_request_tokens")] int MaxRequestTokens,
    [property: JsonPropertyName("max_request_pixels")] long MaxRequestPixels,
    [property: JsonPropertyName("max_points_per_request")] int MaxPointsPerRequest,
    [property: JsonPropertyName("max_searches_per_request")] int MaxSearchesPerRequest,
    [property: JsonPropertyName("max_k")] int MaxK,
    [property: JsonPropertyName("default_k")] int DefaultK)
{
    /// <param name="numRegisters">The served model's register tokens, which count against Serving:MaxImageTokens.</param>
    public static LimitsInfo Of(ServingOptions s, RetrievalOptions r, int patchSize, int numRegisters) => new(
        s.MaxBodyBytes, s.MaxImagesPerRequest, s.MaxPixels, EmbedOptionsParser.MaxResolution,
        EmbedOptionsParser.MaxCenterCropOf(patchSize, numRegisters, s.MaxImageTokens),
        s.MaxImageTokens, s.MaxRequestTokens, s.MaxRequestPixels, r.MaxPointsPerRequest, r.MaxSearchesPerRequest, r.MaxK, r.DefaultK);
}
