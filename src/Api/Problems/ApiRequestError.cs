using EmbeddingService.Retrieval;

namespace EmbeddingService.Api.Problems;

/// <summary>A request that cannot be served as sent; carries its problem code and, in batches, the input index.</summary>
public sealed class ApiRequestError(string code, string message, int? index = null) : Exception(message)
{
    public string Code { get; } = code;
    public int? Index { get; } = index;

    /// <summary>How long the caller should wait before repeating the call, when repeating it may succeed.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The problem an exception stands for, or null when it is none of the known failures (a bug).</summary>
    public static ApiRequestError? From(Exception exception) => exception switch
    {
        ApiRequestError problem => problem,
        RetrievalException store => RetrievalProblems.ToRequestError(store),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new(ApiProblems.PayloadTooLarge, "the request body is larger than this service accepts"),
        BadHttpRequestException malformed => new(ApiProblems.InvalidArgument, malformed.Message),
        _ => null,
    };
}
