using EmbeddingService.Api.Problems;

namespace EmbeddingService.Api.Embedding;

/// <summary>
/// What a request's outcomes add up to: the failure to report (if any input failed for its own reason), and for a
/// successful request its tokens and the slowest decode, queue wait and batch.
/// </summary>
public sealed record EmbedSummary(EmbedOutcome? Failed, int Images, int Tokens, double DecodeMs, double QueueMs, double InferenceMs)
{
    public static EmbedSummary Of(IReadOnlyList<EmbedOutcome> outcomes)
    {
        // Inputs withdrawn because another one failed are never what the caller is told.
        var failed = outcomes.FirstOrDefault(o => o.Failure is not null && o.Failure.Code != ApiProblems.NotComputed);
        if (failed is not null || outcomes.Count == 0) return new EmbedSummary(failed, 0, 0, 0, 0, 0);
        return new EmbedSummary(
            null,
            outcomes.Count,
            outcomes.Sum(o => o.Result!.Embedding.Tokens),
            outcomes.Max(o => o.DecodeTime.TotalMilliseconds),
            outcomes.Max(o => o.Result!.QueueTime.TotalMilliseconds),
            outcomes.Max(o => o.Result!.InferenceTime.TotalMilliseconds));
    }
}
