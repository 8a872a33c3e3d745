namespace EmbeddingService.Cli.Evaluation;

/// <summary>What a set of queries scored: the share found at rank 1 and within the top 10, and mAP over the top-k lists.</summary>
public readonly record struct RetrievalScores(int Queries, double RecallAt1, double RecallAt10, double MeanAveragePrecisionAtK);
