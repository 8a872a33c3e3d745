using EmbeddingService.Retrieval;

namespace EmbeddingService.Api.Problems;

/// <summary>The problem code of each store failure.</summary>
public static class RetrievalProblems
{
    public static string CodeOf(RetrievalError error) => error switch
    {
        RetrievalError.CollectionNotFound => ApiProblems.CollectionNotFound,
        RetrievalError.CollectionExists => ApiProblems.CollectionExists,
        RetrievalError.DimensionMismatch => ApiProblems.DimensionMismatch,
        RetrievalError.ModelMismatch => ApiProblems.ModelMismatch,
        RetrievalError.StoreCorrupt => ApiProblems.StoreCorrupt,
        RetrievalError.Unavailable => ApiProblems.StoreUnavailable,
        _ => ApiProblems.InvalidArgument,
    };

    public static ApiRequestError ToRequestError(RetrievalException e) => new(CodeOf(e.Error), e.Message, e.Index) { RetryAfter = e.RetryAfter };
}
