namespace EmbeddingService.Cli.Evaluation;

/// <summary>One query of the benchmark: an encoded copy of the original <paramref name="OriginalId"/> made by <paramref name="Transform"/>.</summary>
public sealed record CopyQuery(string OriginalId, string Transform, byte[] Image);
