namespace EmbeddingService.Retrieval;

/// <summary>The sizes one store call may ask for, checked by <see cref="ValidatingVectorStore"/> before any store sees the call.</summary>
public sealed record CollectionRequestLimits
{
    /// <summary>Largest k of a search.</summary>
    public int MaxK { get; init; } = 10_000;

    /// <summary>Points in one upsert.</summary>
    public int MaxPointsPerUpsert { get; init; } = 100_000;

    /// <summary>Ids in one delete.</summary>
    public int MaxIdsPerDelete { get; init; } = 100_000;

    /// <summary>Queries in one batch search.</summary>
    public int MaxQueriesPerBatch { get; init; } = 10_000;
}
