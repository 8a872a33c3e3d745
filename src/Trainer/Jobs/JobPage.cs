namespace EmbeddingService.Trainer.Jobs;

/// <summary>Jobs of one page and the sequence number to continue after (null on the last page).</summary>
public sealed record JobPage(IReadOnlyList<JobRecord> Jobs, long? NextAfterSequence);
