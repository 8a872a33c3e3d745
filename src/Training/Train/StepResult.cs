namespace EmbeddingService.Training.Train;

/// <summary>What one iteration did: its losses, each student module's gradient norm before clipping, and its schedule.</summary>
public sealed record StepResult(SslLosses Losses, IReadOnlyDictionary<string, double> GradNormsBeforeClip, StepSchedule Schedule);
