namespace EmbeddingService.Engine.Model;

internal static class EnumerableExtensions
{
    /// <summary>Splits a sequence into runs of adjacent items with equal keys, keeping order.</summary>
    public static IEnumerable<List<T>> GroupAdjacentBy<T, TKey>(this IEnumerable<T> source, Func<T, TKey> key)
    {
        List<T>? run = null;
        TKey? runKey = default;
        foreach (var item in source)
        {
            var k = key(item);
            if (run is not null && EqualityComparer<TKey>.Default.Equals(k, runKey)) { run.Add(item); continue; }
            if (run is not null) yield return run;
            run = [item];
            runKey = k;
        }
        if (run is not null) yield return run;
    }
}
