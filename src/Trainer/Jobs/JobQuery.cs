namespace EmbeddingService.Trainer.Jobs;

/// <summary>A page of the job list, newest first: any of <see cref="States"/> and <see cref="Kinds"/> (empty: all), after <see cref="AfterSequence"/>.</summary>
public sealed record JobQuery
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public IReadOnlyCollection<JobState> States { get; init; } = [];
    public IReadOnlyCollection<JobKind> Kinds { get; init; } = [];
    public int PageSize { get; init; } = DefaultPageSize;
    /// <summary>The store's sequence number of the last job of the previous page; null: the first page.</summary>
    public long? AfterSequence { get; init; }
}
