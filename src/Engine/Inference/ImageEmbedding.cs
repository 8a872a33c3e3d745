namespace EmbeddingService.Engine.Inference;

/// <summary>One image's embedding, and its dense patch features ([GridHeight·GridWidth, D], row-major) when asked for.</summary>
public sealed record ImageEmbedding(float[] Vector, int GridHeight, int GridWidth, int Tokens, float[]? PatchFeatures);
