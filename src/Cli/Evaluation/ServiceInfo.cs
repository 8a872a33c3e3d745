namespace EmbeddingService.Cli.Evaluation;

/// <summary>The model a service embeds with, as GET /v1/info tells it: a benchmark result is only as meaningful as these weights.</summary>
public sealed record ServiceInfo(string Model, string? Architecture, bool RandomWeights, string WeightsFingerprint);
