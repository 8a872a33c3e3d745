namespace EmbeddingService.Trainer.Jobs;

/// <summary>One entry of a job's history: the state it entered, why, and when.</summary>
public sealed record JobTransition(JobState State, string Reason, string Message, DateTimeOffset At);
