using EmbeddingService.Cli.Evaluation;

namespace EmbeddingService.Cli.Tests;

public sealed class RetrievalMetricsTests
{
    [Fact]
    public void RankIsTheOneBasedPositionOfTheRelevantId()
    {
        string[] ranked = ["b.jpg", "a.jpg", "c.jpg"];
        Assert.Equal(1, RetrievalMetrics.RankOf(ranked, "b.jpg"));
        Assert.Equal(2, RetrievalMetrics.RankOf(ranked, "a.jpg"));
        Assert.Null(RetrievalMetrics.RankOf(ranked, "A.jpg"));
        Assert.Null(RetrievalMetrics.RankOf([], "a.jpg"));
    }

    [Fact]
    public void ScoresHandMadeRankings()
    {
        // ranks 1, 2, 4, 10, 11 (beyond k: a miss), not found, and a failed query
        var scores = RetrievalMetrics.Score([1, 2, 4, 10, 11, null, null], k: 10);
        Assert.Equal(7, scores.Queries);
        Assert.Equal(1.0 / 7, scores.RecallAt1, 12);
        Assert.Equal(4.0 / 7, scores.RecallAt10, 12);
        Assert.Equal((1 + 0.5 + 0.25 + 0.1) / 7, scores.MeanAveragePrecisionAtK, 12);
    }

    [Fact]
    public void MapCountsRanksUpToKButRecallAt10OnlyUpTo10()
    {
        var scores = RetrievalMetrics.Score([1, 20, 50], k: 50);
        Assert.Equal(1.0 / 3, scores.RecallAt10, 12);
        Assert.Equal((1 + 1.0 / 20 + 1.0 / 50) / 3, scores.MeanAveragePrecisionAtK, 12);
    }

    [Fact]
    public void PerfectAndEmptyRankings()
    {
        var perfect = RetrievalMetrics.Score([1, 1], k: 10);
        Assert.Equal((1.0, 1.0, 1.0), (perfect.RecallAt1, perfect.RecallAt10, perfect.MeanAveragePrecisionAtK));
        var none = RetrievalMetrics.Score([null, null], k: 10);
        Assert.Equal((0.0, 0.0, 0.0), (none.RecallAt1, none.RecallAt10, none.MeanAveragePrecisionAtK));
        Assert.Throws<ArgumentException>(() => RetrievalMetrics.Score([], k: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => RetrievalMetrics.Score([1], k: 5));
    }
}
