namespace EmbeddingService.Api.Collections;

/// <summary>What an upsert wrote, and where its time went.</summary>
public sealed record UpsertOutcome(int Upserted, int Images, double EmbedMs, double StoreMs);
