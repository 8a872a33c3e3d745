namespace EmbeddingService.Retrieval.Qdrant;

/// <summary>
/// The argument checks of <see cref="IVectorStore"/> that need no backend: ids, vectors (dimension, zero, non-finite)
/// and queries. Every failure is a <see cref="RetrievalException"/> carrying the offending index.
/// </summary>
internal static class PointChecks
{
    public const int MaxIdLength = 256;

    public static void CheckId(string id, int? index)
    {
        string? problem = null;
        if (string.IsNullOrWhiteSpace(id)) problem = "is empty";
        else if (id.Length > MaxIdLength) problem = $"is {id.Length} characters long (at most {MaxIdLength})";
        else if (id.Any(char.IsControl)) problem = "contains a control character";
        if (problem is not null)
            throw new RetrievalException(RetrievalError.InvalidArgument, $"{Item(index)}id '{id}' {problem}.", index);
    }

    /// <summary>The L2-normalised copy of <paramref name="vector"/>.</summary>
    /// <param name="collection">The collection's name, for the dimension-mismatch message.</param>
    public static float[] Normalised(ReadOnlySpan<float> vector, int dimension, string collection, int? index)
    {
        if (vector.Length != dimension)
            throw new RetrievalException(RetrievalError.DimensionMismatch,
                $"{Item(index)}the vector has {vector.Length} dimensions; collection '{collection}' stores {dimension}.", index);
        var sumOfSquares = 0.0;
        foreach (var x in vector)
        {
            if (!float.IsFinite(x))
                throw new RetrievalException(RetrievalError.InvalidArgument, $"{Item(index)}the vector has a non-finite component ({x}).", index);
            sumOfSquares += (double)x * x;
        }
        if (sumOfSquares == 0)
            throw new RetrievalException(RetrievalError.InvalidArgument, $"{Item(index)}the vector is zero; it has no direction to compare.", index);
        var norm = Math.Sqrt(sumOfSquares);
        var unit = new float[vector.Length];
        for (var i = 0; i < unit.Length; i++) unit[i] = (float)(vector[i] / norm);
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
