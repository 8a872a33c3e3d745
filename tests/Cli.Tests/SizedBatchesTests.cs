using EmbeddingService.Cli.Evaluation;

namespace EmbeddingService.Cli.Tests;

public sealed class SizedBatchesTests
{
    [Fact]
    public void BatchesCloseAtTheCountOrBeforeTheBytesRunOver()
    {
        int[] sizes = [3, 3, 3, 3, 9, 1, 1, 1, 1, 1];
        var batches = SizedBatches.Of(sizes, s => s, maxCount: 4, maxBytes: 7).Select(b => b.ToArray()).ToArray();
        Assert.Equal([[3, 3], [3, 3], [9], [1, 1, 1, 1], [1]], batches);
    }

    [Fact]
    public void NothingMakesNoBatch() => Assert.Empty(SizedBatches.Of(Array.Empty<int>(), s => s, 4, 7));
}
