using Grpc.Core;

namespace EmbeddingService.Api.Problems;

/// <summary>
/// The stable error codes of the API (the "code" member of every application/problem+json body, the prefix of
/// every gRPC status message) and the one table from each code to its HTTP and gRPC status.
/// </summary>
public static class ApiProblems
{
    public const string InvalidArgument = "invalid_argument";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string NotAcceptable = "not_acceptable";
    public const string PatchFeaturesNeedJson = "patch_features_need_json";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string ImageDecodeFailed = "image_decode_failed";
    public const string ImageTooLarge = "image_too_large";
    public const string PayloadTooLarge = "payload_too_large";
    public const string TooManyImages = "too_many_images";
    public const string RequestTooLarge = "request_too_large";
    public const string TooManyPoints = "too_many_points";
    public const string TooManySearches = "too_many_searches";
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
    public const string InvalidSpec = "invalid_spec";
    public const string SpecTooLarge = "spec_too_large";
    public const string PathOutsideDataRoot = "path_outside_data_root";
    public const string JobNotFound = "job_not_found";
    public const string JobState = "job_state";
    public const string IdempotencyConflict = "idempotency_conflict";
    public const string ModelNotFound = "model_not_found";
    public const string ArtifactNotFound = "artifact_not_found";
    public const string ModelLoadFailed = "model_load_failed";
    public const string TrainerUnavailable = "trainer_unavailable";

    /// <summary>An input of a failed multi-image request that was withdrawn, or a caller that went away; never reported on its own.</summary>
    public const string NotComputed = "not_computed";

    /// <summary>How long a refused client should wait when the refusal does not say.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait before calling a trainer worker that could not be reached (a local one restarts within seconds).</summary>
    public static readonly TimeSpan TrainerRetryAfter = TimeSpan.FromSeconds(5);

    private static readonly Dictionary<string, (int Http, StatusCode Grpc)> Statuses = new()
    {
        [InvalidArgument] = (StatusCodes.Status400BadRequest, StatusCode.InvalidArgument),
        [DimensionMismatch] = (StatusCodes.Status400BadRequest, StatusCode.InvalidArgument),
        [UnsupportedMediaType] = (StatusCodes.Status415UnsupportedMediaType, StatusCode.InvalidArgument),
        [NotAcceptable] = (StatusCodes.Status406NotAcceptable, StatusCode.InvalidArgument),
        [PatchFeaturesNeedJson] = (StatusCodes.Status400BadRequest, StatusCode.InvalidArgument),
        [MethodNotAllowed] = (StatusCodes.Status405MethodNotAllowed, StatusCode.Unimplemented),
        [ImageDecodeFailed] = (StatusCodes.Status422UnprocessableEntity, StatusCode.InvalidArgument),
        [ImageTooLarge] = (StatusCodes.Status413PayloadTooLarge, StatusCode.InvalidArgument),
        [PayloadTooLarge] = (StatusCodes.Status413PayloadTooLarge, StatusCode.InvalidArgument),
        [TooManyImages] = (StatusCodes.Status413PayloadTooLarge, StatusCode.InvalidArgument),
        [RequestTooLarge] = (StatusCodes.Status413PayloadTooLarge, StatusCode.ResourceExhausted),
        [TooManyPoints] = (StatusCodes.Status413PayloadTooLarge, StatusCode.InvalidArgument),
        [TooManySearches] = (StatusCodes.Status413PayloadTooLarge, StatusCode.InvalidArgument),
        [Overloaded] = (StatusCodes.Status429TooManyRequests, StatusCode.ResourceExhausted),
        [DeadlineExceeded] = (StatusCodes.Status504GatewayTimeout, StatusCode.DeadlineExceeded),
        [Unauthorized] = (StatusCodes.Status401Unauthorized, StatusCode.Unauthenticated),
        [Forbidden] = (StatusCodes.Status403Forbidden, StatusCode.PermissionDenied),
        [NotReady] = (StatusCodes.Status503ServiceUnavailable, StatusCode.Unavailable),
        [StoreUnavailable] = (StatusCodes.Status503ServiceUnavailable, StatusCode.Unavailable),
        [NotFound] = (StatusCodes.Status404NotFound, StatusCode.NotFound),
        [CollectionNotFound] = (StatusCodes.Status404NotFound, StatusCode.NotFound),
        [PointNotFound] = (StatusCodes.Status404NotFound, StatusCode.NotFound),
        [CollectionExists] = (StatusCodes.Status409Conflict, StatusCode.AlreadyExists),
        [ModelMismatch] = (StatusCodes.Status409Conflict, StatusCode.FailedPrecondition),
        [StoreCorrupt] = (StatusCodes.Status500InternalServerError, StatusCode.DataLoss),
        [Internal] = (StatusCodes.Status500InternalServerError, StatusCode.Internal),
        [NotComputed] = (StatusCodes.Status499ClientClosedRequest, StatusCode.Cancelled),
        [InvalidSpec] = (StatusCodes.Status400BadRequest, StatusCode.InvalidArgument),
        [SpecTooLarge] = (StatusCodes.Status413PayloadTooLarge, StatusCode.InvalidArgument),
        [PathOutsideDataRoot] = (StatusCodes.Status400BadRequest, StatusCode.InvalidArgument),
        [JobNotFound] = (StatusCodes.Status404NotFound, StatusCode.NotFound),
        [JobState] = (StatusCodes.Status409Conflict, StatusCode.FailedPrecondition),
        [IdempotencyConflict] = (StatusCodes.Status409Conflict, StatusCode.AlreadyExists),
        [ModelNotFound] = (StatusCodes.Status404NotFound, StatusCode.NotFound),
        [ArtifactNotFound] = (StatusCodes.Status404NotFound, StatusCode.NotFound),
        [ModelLoadFailed] = (StatusCodes.Status500InternalServerError, StatusCode.Internal),
        [TrainerUnavailable] = (StatusCodes.Status503ServiceUnavailable, StatusCode.Unavailable),
    };

    public static int StatusOf(string code) => Entry(code).Http;

    /// <summary>Whether <paramref name="code"/> is one of the API's codes (a worker's status message may start with one).</summary>
    public static bool IsCode(string code) => Statuses.ContainsKey(code);

    public static StatusCode GrpcStatusOf(string code) => Entry(code).Grpc;

    /// <summary>The code for a response that has a status but no code of its own (framework 404s, 405s, 500s).</summary>
    public static string CodeFor(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => Unauthorized,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status406NotAcceptable => NotAcceptable,
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
    /// multi-image request. Overloaded and trainer_unavailable results carry Retry-After (<paramref name="retryAfter"/>,
    /// else one second for overloaded and five for a trainer worker that is (re)starting); others when
    /// <paramref name="retryAfter"/> is given (a collection still loading).
    /// </summary>
    public static IResult Result(string code, string detail, int? index = null, TimeSpan? retryAfter = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (index is { } i) extensions["index"] = i;
        var problem = Results.Problem(statusCode: StatusOf(code), detail: detail, extensions: extensions);
        return (code, retryAfter) switch
        {
            (Overloaded, _) => new RetryAfterResult(problem, retryAfter ?? DefaultRetryAfter),
            (TrainerUnavailable, _) => new RetryAfterResult(problem, retryAfter ?? TrainerRetryAfter),
            (_, { } after) => new RetryAfterResult(problem, after),
            _ => problem,
        };
    }

    /// <summary>The gRPC form of a problem: its status, with a message that starts with the code.</summary>
    public static RpcException RpcException(string code, string detail) => new(new Status(GrpcStatusOf(code), $"{code}: {detail}"));

    private static (int Http, StatusCode Grpc) Entry(string code) =>
        Statuses.TryGetValue(code, out var entry) ? entry : throw new ArgumentOutOfRangeException(nameof(code), code, "not an API problem code");
}
