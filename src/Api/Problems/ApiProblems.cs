namespace EmbeddingService.Api.Problems;

/// <summary>
/// The stable error codes of the API (the "code" member of every application/problem+json body) and the
/// results that carry them with their HTTP status.
/// </summary>
public static class ApiProblems
{
    public const string InvalidArgument = "invalid_argument";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string ImageDecodeFailed = "image_decode_failed";
    public const string ImageTooLarge = "image_too_large";
    public const string PayloadTooLarge = "payload_too_large";
    public const string TooManyImages = "too_many_images";
    public const string Overloaded = "overloaded";
    public const string DeadlineExceeded = "deadline_exceeded";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotReady = "not_ready";
    public const string NotFound = "not_found";
    public const string Internal = "internal";
    public const string CollectionNotFound = "collection_not_found";
    public const string CollectionExists = "collection_exists";
    public const string ModelMismatch = "model_mismatch";
    public const string DimensionMismatch = "dimension_mismatch";
    public const string PointNotFound = "point_not_found";
    public const string StoreUnavailable = "store_unavailable";
    public const string StoreCorrupt = "store_corrupt";

    /// <summary>How long a refused client should wait when the refusal does not say.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    public static int StatusOf(string code) => code switch
    {
        InvalidArgument or DimensionMismatch => StatusCodes.Status400BadRequest,
        UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ImageDecodeFailed => StatusCodes.Status422UnprocessableEntity,
        ImageTooLarge or PayloadTooLarge or TooManyImages => StatusCodes.Status413PayloadTooLarge,
        Overloaded => StatusCodes.Status429TooManyRequests,
        DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        Unauthorized => StatusCodes.Status401Unauthorized,
        Forbidden => StatusCodes.Status403Forbidden,
        NotReady => StatusCodes.Status503ServiceUnavailable,
        NotFound or CollectionNotFound or PointNotFound => StatusCodes.Status404NotFound,
        CollectionExists or ModelMismatch => StatusCodes.Status409Conflict,
        StoreUnavailable => StatusCodes.Status503ServiceUnavailable,
        Internal or StoreCorrupt => StatusCodes.Status500InternalServerError,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "not an API problem code"),
    };

    /// <summary>The code for a response that has a status but no code of its own (framework 404s, 405s, 500s).</summary>
    public static string CodeFor(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => Unauthorized,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status413PayloadTooLarge => PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => Overloaded,
        StatusCodes.Status503ServiceUnavailable => NotReady,
        StatusCodes.Status504GatewayTimeout => DeadlineExceeded,
        < 500 => InvalidArgument,
        _ => Internal,
    };

    /// <summary>
    /// A problem+json result for <paramref name="code"/>; <paramref name="index"/> names the offending input of a
    /// multi-image request. Overloaded results carry Retry-After (<paramref name="retryAfter"/>, else one second).
    /// </summary>
    public static IResult Result(string code, string detail, int? index = null, TimeSpan? retryAfter = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (index is { } i) extensions["index"] = i;
        var problem = Results.Problem(statusCode: StatusOf(code), detail: detail, extensions: extensions);
        return code == Overloaded ? new RetryAfterResult(problem, retryAfter ?? DefaultRetryAfter) : problem;
    }
}
