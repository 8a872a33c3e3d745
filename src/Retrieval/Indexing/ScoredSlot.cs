namespace EmbeddingService.Retrieval.Indexing;

/// <summary>A stored row and its similarity to a query.</summary>
internal readonly record struct ScoredSlot(int Slot, float Score);
