namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// Learnt while a log is replayed: whether it passes through the position a saved graph covers (a group ends there,
/// with the same last frame), and which point ids the groups after that position upsert or delete — the points whose
/// graph entries are stale.
/// </summary>
internal sealed class LogTail(LogPosition? covered)
{
    /// <summary>Whether the replay passed the covered position (always, for a graph that covers nothing).</summary>
    public bool Reached { get; private set; } = covered == LogPosition.Start;

    public HashSet<string> ChangedIds { get; } = new(StringComparer.Ordinal);

    /// <summary>Called for each group replayed, in log order, with the position just past it.</summary>
    public void Observe(IReadOnlyList<LogOperation> operations, LogPosition end)
    {
        if (covered is null) return;
        if (!Reached)
        {
            Reached = end == covered;
            return;
        }
        foreach (var operation in operations)
        {
            var ids = operation switch
            {
                UpsertOperation upsert => upsert.Ids,
                DeleteOperation delete => delete.Ids,
                _ => throw new InvalidOperationException($"unknown operation {operation.GetType().Name}"),
            };
            ChangedIds.UnionWith(ids);
        }
    }
}
