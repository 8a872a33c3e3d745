using System.Text.Json;

namespace EmbeddingService.Retrieval;

/// <summary>A point as stored: its id, unit vector and payload.</summary>
public sealed record StoredPoint(string Id, float[] Vector, JsonElement? Payload);
