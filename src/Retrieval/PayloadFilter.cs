namespace EmbeddingService.Retrieval;

/// <summary>
/// Conditions a point's payload must all meet. Each condition names a key (dots reach into nested objects,
/// "a.b") and the values it may equal (one value = equality, several = any of them). Values are JSON strings,
/// integers or booleans, as Qdrant's keyword/integer/bool matches allow; anything else is
/// <see cref="RetrievalError.InvalidArgument"/>, as is an empty key, an empty dot segment or an empty value list.
/// Matching: strings compare ordinally (case-sensitive), integers by value (a stored 2.0 equals 2), booleans by
/// value; a string never equals a number. A missing key, or a path through a non-object, fails the condition; a
/// point without payload fails every condition. A stored array matches when any of its elements matches (as Qdrant
/// does). An empty <see cref="Must"/> matches every point.
/// </summary>
public sealed record PayloadFilter(IReadOnlyList<FieldCondition> Must);
