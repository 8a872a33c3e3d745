namespace EmbeddingService.Retrieval.Embedded;

/// <summary>A search query as the collection runs it: its unit vector, k, threshold and filter (null when it has no condition).</summary>
internal sealed record PreparedQuery(float[] UnitVector, int K, float MinScore, PayloadFilter? Filter)
{
    /// <summary>The query, checked by <see cref="CollectionRequestRules"/>, against the collection's dimension.</summary>
    /// <param name="index">The query's index in a batch; null for a single search.</param>
    public static PreparedQuery From(SearchQuery query, int? index, string collection, CollectionModel model)
    {
        StoreFailures.CheckQueryDimension(query, index, collection, model);
        return new PreparedQuery(UnitVectors.Normalized(query.Vector.Span), query.K, query.ScoreThreshold ?? float.NegativeInfinity,
            query.Filter is { Must.Count: > 0 } filter ? filter : null);
    }
}
