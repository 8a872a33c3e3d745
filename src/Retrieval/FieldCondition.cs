using System.Text.Json;

namespace EmbeddingService.Retrieval;

/// <summary>The payload value at <paramref name="Key"/> must equal one of <paramref name="AnyOf"/>.</summary>
public sealed record FieldCondition(string Key, IReadOnlyList<JsonElement> AnyOf);
