namespace EmbeddingService.Api.Embedding;

/// <summary>RFC 7807 responses for the embedding API's stable codes.</summary>
public static class EmbedProblems
{
    public static int StatusOf(string code) => code switch
    {
        ProblemCodes.InvalidArgument => StatusCodes.Status400BadRequest,
        ProblemCodes.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ProblemCodes.ImageDecodeFailed => StatusCodes.Status422UnprocessableEntity,
        ProblemCodes.ImageTooLarge or ProblemCodes.PayloadTooLarge or ProblemCodes.TooManyImages => StatusCodes.Status413PayloadTooLarge,
        ProblemCodes.Overloaded => StatusCodes.Status429TooManyRequests,
        ProblemCodes.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        ProblemCodes.NotReady => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static IResult For(HttpContext context, string code, string detail, int? index = null)
    {
        if (code == ProblemCodes.Overloaded) context.Response.Headers.RetryAfter = "1";
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (index is { } i) extensions["index"] = i;
        return Results.Problem(statusCode: StatusOf(code), title: Title(code), detail: detail, extensions: extensions);
    }

    private static string Title(string code) => code switch
    {
        ProblemCodes.InvalidArgument => "Invalid request",
        ProblemCodes.UnsupportedMediaType => "Unsupported content type",
        ProblemCodes.ImageDecodeFailed => "The image could not be decoded",
        ProblemCodes.ImageTooLarge => "The image is too large",
        ProblemCodes.PayloadTooLarge => "The request body is too large",
        ProblemCodes.TooManyImages => "Too many images in one request",
        ProblemCodes.Overloaded => "The service is overloaded; retry later",
        ProblemCodes.DeadlineExceeded => "The deadline passed before the images were computed",
        ProblemCodes.NotReady => "The service is not ready",
        _ => "Internal error",
    };
}
