namespace EmbeddingService.Training.Runs;

/// <summary>
/// A run's exported result: the backbone as safetensors with its architecture sidecar (what the engine and the service
/// load), the full model in the official training layout, and the engine's fingerprint of the backbone file.
/// </summary>
public sealed record RunExportPaths(string Backbone, string Config, string TrainingCheckpoint, string Fingerprint);
