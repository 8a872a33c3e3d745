namespace EmbeddingService.Retrieval;

/// <summary>
/// The wording of the failures only a store can detect (it alone knows which collections exist and their
/// dimension), shared by every store so that the same mistake reads the same everywhere.
/// </summary>
internal static class StoreFailures
{
    public static RetrievalException CollectionNotFound(string name, Exception? inner = null) =>
        new(RetrievalError.CollectionNotFound, $"collection '{name}' does not exist", inner: inner);

    public static RetrievalException CollectionExists(string name, string differences) =>
        new(RetrievalError.CollectionExists, $"collection '{name}' exists with other settings: {differences}");

    /// <summary>The settings <paramref name="requested"/> differs from <paramref name="existing"/> in, or null when none.</summary>
    public static string? Differences(CollectionSettings existing, CollectionSettings requested)
    {
        var differences = new List<string>();
        if (existing.Model.MismatchWith(requested.Model) is { } model) differences.Add(model);
        if (existing.Index != requested.Index) differences.Add($"index {requested.Index} instead of {existing.Index}");
        return differences.Count == 0 ? null : string.Join("; ", differences);
    }

    /// <summary>Throws when a point's vector is not of the collection's dimension.</summary>
    public static void CheckPointDimension(VectorPoint point, int index, string collection, CollectionModel model)
    {
        if (point.Vector.Length != model.Dimension)
            throw new RetrievalException(RetrievalError.DimensionMismatch,
                $"point {index} ('{point.Id}') has {point.Vector.Length} dimensions; collection '{collection}' holds {model.Describe()}", index);
    }

    /// <summary>Throws when a query's vector is not of the collection's dimension; <paramref name="index"/> is null for a single query.</summary>
    public static void CheckQueryDimension(SearchQuery query, int? index, string collection, CollectionModel model)
    {
        if (query.Vector.Length != model.Dimension)
            throw new RetrievalException(RetrievalError.DimensionMismatch,
                $"{CollectionRequestRules.QueryPrefix(index)}the query has {query.Vector.Length} dimensions; collection '{collection}' holds {model.Describe()}", index);
    }
}
