using System.Text.Json;

namespace EmbeddingService.Retrieval;

/// <summary>A search result: the point's id, its cosine similarity to the query and its payload.</summary>
public sealed record SearchHit(string Id, float Score, JsonElement? Payload)
{
    /// <summary>The dot product of unit vectors, kept within [-1, 1]: float rounding gave an image and itself 1.0000001.</summary>
    public float Score { get; init; } = Math.Clamp(Score, -1f, 1f);
}
