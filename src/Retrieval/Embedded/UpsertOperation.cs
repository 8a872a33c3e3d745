using System.Text.Json;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>Points to insert or replace: ids, unit vectors back to back (ids.Length × dimension) and payloads (JSON objects or null).</summary>
internal sealed record UpsertOperation(string[] Ids, float[] Vectors, JsonElement?[] Payloads) : LogOperation;
