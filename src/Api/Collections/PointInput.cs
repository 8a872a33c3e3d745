using System.Text.Json;
using EmbeddingService.Api.Embedding;

namespace EmbeddingService.Api.Collections;

/// <summary>One point of an upsert request: its id, either an encoded image or a vector, and an optional JSON object payload.</summary>
public sealed record PointInput(string Id, EmbedInput? Image, float[]? Vector, JsonElement? Payload);
