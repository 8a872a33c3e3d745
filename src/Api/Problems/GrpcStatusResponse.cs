using System.Globalization;
using Grpc.Core;

namespace EmbeddingService.Api.Problems;

/// <summary>
/// Answers a gRPC call that middleware refuses (authentication, rate limit) with a trailers-only gRPC
/// response, so that clients see UNAUTHENTICATED or RESOURCE_EXHAUSTED rather than a bare HTTP status.
/// </summary>
public static class GrpcStatusResponse
{
    public static bool IsGrpc(HttpRequest request) =>
        request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    public static Task WriteAsync(HttpResponse response, StatusCode status, string message)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)status).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        return Task.CompletedTask;
    }
}
