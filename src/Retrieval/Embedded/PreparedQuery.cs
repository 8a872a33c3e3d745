namespace EmbeddingService.Retrieval.Embedded;

/// <summary>A checked search query: its unit vector, k, threshold and filter.</summary>
internal sealed record PreparedQuery(float[] UnitVector, int K, float MinScore, PayloadFilter? Filter)
{
    public static PreparedQuery From(SearchQuery query, int index, CollectionModel model, int maxK)
    {
        if (query is null) throw Invalid(index, "the query is null");
        if (query.K < 1 || query.K > maxK) throw Invalid(index, $"k must be between 1 and {maxK}, not {query.K}");
        if (query.Vector.Length != model.Dimension)
            throw new RetrievalException(RetrievalError.DimensionMismatch,
                $"query {index} has {query.Vector.Length} dimensions; the collection holds {model.Describe()}", index);
        var unit = new float[model.Dimension];
        if (UnitVectors.Normalize(query.Vector.Span, unit) is { } vectorProblem) throw Invalid(index, vectorProblem);
        if (query.ScoreThreshold is { } threshold && float.IsNaN(threshold)) throw Invalid(index, "the score threshold is NaN");
        var filter = query.Filter is { Must.Count: > 0 } f ? f : null;
        if (filter is not null && PayloadFilterMatcher.Problem(filter) is { } problem) throw Invalid(index, problem);
        return new PreparedQuery(unit, query.K, query.ScoreThreshold ?? float.NegativeInfinity, filter);
    }

    private static RetrievalException Invalid(int index, string problem) => new(RetrievalError.InvalidArgument, $"query {index}: {problem}", index);
}
