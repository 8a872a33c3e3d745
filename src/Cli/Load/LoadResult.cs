namespace EmbeddingService.Cli.Load;

/// <summary>What one request of a load run did: latency, and an error code when it failed.</summary>
public readonly record struct LoadResult(double LatencyMs, string? Error, int Images);
