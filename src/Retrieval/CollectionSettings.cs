namespace EmbeddingService.Retrieval;

/// <summary>What a collection is created with.</summary>
public sealed record CollectionSettings(CollectionModel Model, IndexKind Index = IndexKind.Auto)
{
    /// <summary>The size above which an <see cref="IndexKind.Auto"/> collection searches its HNSW graph.</summary>
    public const int AutoApproximateThreshold = 20_000;
}
