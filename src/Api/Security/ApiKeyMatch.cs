namespace EmbeddingService.Api.Security;

/// <summary>A recognised API key: <see cref="Id"/> identifies it in logs and rate limits without revealing it.</summary>
public sealed record ApiKeyMatch(string Id, bool Admin);
