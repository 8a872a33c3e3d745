namespace EmbeddingService.Training.Runs;

/// <summary>What a run checkpoint's header says: after how many iterations, in which stage, of which spec.</summary>
public sealed record RunCheckpointInfo(string Path, long Iteration, string Stage, string SpecHash, string Spec);
