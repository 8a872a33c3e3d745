namespace EmbeddingService.Engine.Scheduling;

/// <summary>Queue bound, admission limits and batch-closing rules of an <see cref="EmbeddingScheduler"/>.</summary>
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

    /// <summary>
    /// Tokens one image may have (<see cref="SchedulerRejection.ImageTooLarge"/> above it). The default is the 518×518
    /// grid the models were trained for with cls and 4 registers (1 + 4 + 37·37), so any variant takes 518×518 and
    /// nothing larger. Measured on ViT-S/14 here (2 shared cores): one 518×518 image is a 4–5 s forward, one 1022×1022
    /// image 35–39 s, and one at the largest resolution the Api accepts ran ~80 s with every other request waiting.
    /// </summary>
    public int MaxImageTokens { get; init; } = 1374;

    /// <summary>
    /// Tokens one request may have in all (<see cref="SchedulerRejection.RequestTooLarge"/> above it): 4 default batch
    /// budgets, enough for 64 keep-aspect images at 224 up to a 2:1 aspect (64 · 513 tokens).
    /// </summary>
    public int MaxRequestTokens { get; init; } = 32_896;

    /// <summary>Decoded pixels one request may have in all, charged through <see cref="RequestPixelBudget"/>: 5 images at the default 40 M pixel limit per image.</summary>
    public long MaxRequestPixels { get; init; } = 200_000_000;

    /// <summary>
    /// After a batch of more tokens than this, once the queue is empty, the executor gives freed native memory back
    /// to the system (malloc_trim); null means <see cref="MaxImageTokens"/>: any batch larger than one maximal image.
    /// The figures behind the rule are at <see cref="Runtime.NativeHeap.ReleaseFreedMemory"/>.
    /// </summary>
    public int? TrimAboveBatchTokens { get; init; }

    public void Validate()
    {
        var problems = new List<string>();
        if (QueueCapacity < 1) problems.Add($"QueueCapacity must be at least 1 (got {QueueCapacity})");
        if (MaxBatchImages < 1) problems.Add($"MaxBatchImages must be at least 1 (got {MaxBatchImages})");
        if (MaxBatchTokens < 1) problems.Add($"MaxBatchTokens must be at least 1 (got {MaxBatchTokens})");
        if (MaxQueueDelay < TimeSpan.Zero) problems.Add($"MaxQueueDelay must not be negative (got {MaxQueueDelay})");
        if (MaxImageTokens < 1) problems.Add($"MaxImageTokens must be at least 1 (got {MaxImageTokens})");
        if (MaxRequestTokens < MaxImageTokens) problems.Add($"MaxRequestTokens must be at least MaxImageTokens ({MaxImageTokens}) (got {MaxRequestTokens})");
        if (MaxRequestPixels < 1) problems.Add($"MaxRequestPixels must be at least 1 (got {MaxRequestPixels})");
        if (TrimAboveBatchTokens < 1) problems.Add($"TrimAboveBatchTokens must be at least 1 when set (got {TrimAboveBatchTokens})");
        if (problems.Count > 0) throw new ArgumentException("Invalid scheduler options: " + string.Join("; ", problems));
    }
}
