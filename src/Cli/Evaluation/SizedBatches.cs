namespace EmbeddingService.Cli.Evaluation;

/// <summary>Splits a sequence into request batches of at most a number of items and, past the first item, a number of bytes.</summary>
public static class SizedBatches
{
    public static IEnumerable<IReadOnlyList<T>> Of<T>(IEnumerable<T> items, Func<T, long> bytes, int maxCount, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var batch = new List<T>();
        long size = 0;
        foreach (var item in items)
        {
            var itemBytes = bytes(item);
            if (batch.Count == maxCount || (batch.Count > 0 && size + itemBytes > maxBytes))
            {
                yield return batch;
                (batch, size) = ([], 0);
            }
            batch.Add(item);
            size += itemBytes;
        }
        if (batch.Count > 0)
            yield return batch;
    }
}
