namespace EmbeddingService.Retrieval.Qdrant;

/// <summary>
/// The argument checks of <see cref="IVectorStore"/> that need no backend: ids, vectors (dimension, zero, non-finite)
/// and queries. Every failure is a <see cref="RetrievalException"/> carrying the offending index.
/// </summary>
internal static class PointChecks
{
    public static void CheckId(string id, int? index)
    {
        if (PointIds.Problem(id) is { } problem)
            throw new RetrievalException(RetrievalError.InvalidArgument, $"{Item(index)}{problem}.", index);
    }

    /// <summary>The L2-normalised copy of <paramref name="vector"/>.</summary>
    /// <param name="collection">The collection's name, for the dimension-mismatch message.</param>
    public static float[] Normalised(ReadOnlySpan<float> vector, int dimension, string collection, int? index)
    {
        if (vector.Length != dimension)
            throw new RetrievalException(RetrievalError.DimensionMismatch,
                $"{Item(index)}the vector has {vector.Length} dimensions; collection '{collection}' stores {dimension}.", index);
        var unit = new float[vector.Length];
        if (UnitVectors.Normalize(vector, unit) is { } problem)
            throw new RetrievalException(RetrievalError.InvalidArgument, $"{Item(index)}{problem}.", index);
        return unit;
    }

    public static void CheckQuery(SearchQuery query, int? index)
    {
        if (query.K < 1)
            throw new RetrievalException(RetrievalError.InvalidArgument, $"{Item(index)}K is {query.K}; it must be at least 1.", index);
        if (query.ScoreThreshold is { } threshold && !float.IsFinite(threshold))
            throw new RetrievalException(RetrievalError.InvalidArgument, $"{Item(index)}the score threshold {threshold} is not finite.", index);
    }

    /// <summary>"item N: " for an item of a batch, nothing for a single argument.</summary>
    public static string Item(int? index) => index is { } i ? $"item {i}: " : "";
}
