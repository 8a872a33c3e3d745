namespace EmbeddingService.Training.Train;

/// <summary>What one iteration did: its losses, each student module's gradient norm before clipping, its schedule and the wall time of its phases.</summary>
public sealed record StepResult(SslLosses Losses, IReadOnlyDictionary<string, double> GradNormsBeforeClip, StepSchedule Schedule, IReadOnlyDictionary<string, double> PhaseMilliseconds);
