using System.Text.Json;

namespace EmbeddingService.Retrieval;

/// <summary>A search result: the point's id, its cosine similarity to the query and its payload.</summary>
public sealed record SearchHit(string Id, float Score, JsonElement? Payload);
