namespace EmbeddingService.Cli.Evaluation;

/// <summary>
/// Recall@1, recall@10 and mAP for queries that each have exactly one relevant item (the original a copy was made from).
/// With one relevant item, average precision is 1/rank when the item is within the k results retrieved and 0 otherwise,
/// so the mean is mAP@k (the mean reciprocal rank cut at k). A query without an answer counts as a miss (null rank).
/// </summary>
public static class RetrievalMetrics
{
    /// <summary>The 1-based position of <paramref name="relevant"/> in a ranked result list, or null when it is not there.</summary>
    public static int? RankOf(IReadOnlyList<string> ranked, string relevant)
    {
        for (var i = 0; i < ranked.Count; i++)
        {
            if (string.Equals(ranked[i], relevant, StringComparison.Ordinal))
                return i + 1;
        }
        return null;
    }

    /// <param name="ranks">Each query's rank of its relevant item in a list of at most <paramref name="k"/> results (null: not found).</param>
    /// <param name="k">How many results each query retrieved; at least 10, so that recall@10 is defined.</param>
    public static RetrievalScores Score(IReadOnlyCollection<int?> ranks, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 10);
        if (ranks.Count == 0)
            throw new ArgumentException("no queries to score", nameof(ranks));
        var found = ranks.Where(r => r is { } rank && rank >= 1 && rank <= k).Select(r => r!.Value).ToArray();
        return new RetrievalScores(
            ranks.Count,
            RecallAt1: (double)found.Count(r => r == 1) / ranks.Count,
            RecallAt10: (double)found.Count(r => r <= 10) / ranks.Count,
            MeanAveragePrecisionAtK: found.Sum(r => 1.0 / r) / ranks.Count);
    }
}
