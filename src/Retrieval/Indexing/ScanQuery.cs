namespace EmbeddingService.Retrieval.Indexing;

/// <summary>
/// One query of an exact scan: a unit vector, how many rows to keep, the lowest score worth keeping, and which slots
/// may be kept at all (live points, matching a filter). <paramref name="Accept"/> is only asked about rows whose score
/// would enter the top <paramref name="K"/>, so an expensive predicate costs little.
/// </summary>
internal sealed record ScanQuery(ReadOnlyMemory<float> Vector, int K, float MinScore, Func<int, bool> Accept);
