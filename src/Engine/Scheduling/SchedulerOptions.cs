namespace EmbeddingService.Engine.Scheduling;

/// <summary>Queue bound and batch-closing rules of an <see cref="EmbeddingScheduler"/>.</summary>
public sealed record SchedulerOptions
{
    /// <summary>Images waiting at most; beyond it submissions are refused at once.</summary>
    public int QueueCapacity { get; init; } = 256;

    /// <summary>A batch closes when it holds this many images...</summary>
    public int MaxBatchImages { get; init; } = 32;

    /// <summary>...or when the next image would take it past this many tokens (one image alone may exceed it)...</summary>
    public int MaxBatchTokens { get; init; } = 8224;

    /// <summary>...or when this long has passed since its first image was taken; zero takes only what is queued.</summary>
    public TimeSpan MaxQueueDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    public void Validate()
    {
        var problems = new List<string>();
        if (QueueCapacity < 1) problems.Add($"QueueCapacity must be at least 1 (got {QueueCapacity})");
        if (MaxBatchImages < 1) problems.Add($"MaxBatchImages must be at least 1 (got {MaxBatchImages})");
        if (MaxBatchTokens < 1) problems.Add($"MaxBatchTokens must be at least 1 (got {MaxBatchTokens})");
        if (MaxQueueDelay < TimeSpan.Zero) problems.Add($"MaxQueueDelay must not be negative (got {MaxQueueDelay})");
        if (problems.Count > 0) throw new ArgumentException("Invalid scheduler options: " + string.Join("; ", problems));
    }
}
