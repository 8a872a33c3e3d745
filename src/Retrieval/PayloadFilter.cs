namespace EmbeddingService.Retrieval;

/// <summary>
/// Conditions a point's payload must all meet. Each condition names a key (dots reach into nested objects,
/// "a.b") and the values it may equal (one value = equality, several = any of them). Values are JSON strings,
/// integers or booleans, as Qdrant's keyword/integer/bool matches allow.
/// </summary>
public sealed record PayloadFilter(IReadOnlyList<FieldCondition> Must);
