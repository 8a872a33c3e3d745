using EmbeddingService.Engine.Text;
using System.Text.Json.Serialization;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Engine.Model;

namespace EmbeddingService.Api.Admin;

/// <summary>The batching limits of section "Serving".</summary>
public sealed record BatchingInfo(
    [property: JsonPropertyName("queue_capacity")] int QueueCapacity,
    [property: JsonPropertyName("max_batch_images")] int MaxBatchImages,
    [property: JsonPropertyName("max_batch_tokens")] int MaxBatchTokens,
    [property: JsonPropertyName("max_queue_delay_ms")] int MaxQueueDelayMs,
    [property: JsonPropertyName("max_images_per_request")] int MaxImagesPerRequest,
    [property: JsonPropertyName("layout")] string Layout)
{
    public static BatchingInfo Of(ServingOptions s) => new(s.QueueCapacity, s.MaxBatchImages, s.MaxBatchTokens, s.MaxQueueDelayMs, s.MaxImagesPerRequest, KebabCaseNames<BatchLayout>.Name(s.BatchLayout));
}
