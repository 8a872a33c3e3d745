using System.Text.Json;

namespace EmbeddingService.Retrieval;

/// <summary>A point to upsert: a caller-chosen id, its vector (any non-zero length; the store normalises) and an optional JSON object.</summary>
public sealed record VectorPoint(string Id, ReadOnlyMemory<float> Vector, JsonElement? Payload = null);
