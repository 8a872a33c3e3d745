using System.Globalization;

namespace EmbeddingService.Api.Problems;

/// <summary>
/// Answers a gRPC call that middleware refuses (authentication, rate limit) with a trailers-only gRPC
/// response, so that clients see UNAUTHENTICATED or RESOURCE_EXHAUSTED rather than a bare HTTP status.
/// </summary>
public static class GrpcStatusResponse
{
    public static bool IsGrpc(HttpRequest request) =>
        request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The status of <paramref name="code"/> (as REST's problem code maps to it), with the message "code: detail" like every gRPC error of the API.</summary>
    public static Task WriteAsync(HttpResponse response, string code, string detail)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)ApiProblems.GrpcStatusOf(code)).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString($"{code}: {detail}");
        return Task.CompletedTask;
    }
}
