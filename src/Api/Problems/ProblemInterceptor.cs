using EmbeddingService.Api.Observability;
using EmbeddingService.Hosting.Grpc;
using Grpc.Core;

namespace EmbeddingService.Api.Problems;

/// <summary>
/// The gRPC end of the error path: a known failure becomes its status (message "code: detail"), a caller that went
/// away is counted and logged as such, and anything else is INTERNAL with a trace id (a bug: its stack is logged,
/// never sent).
/// </summary>
internal sealed class ProblemInterceptor(ClientAborts aborts, ILogger<ProblemInterceptor> logger) : StatusMappingInterceptor
{
    protected override RpcException ToStatus(Exception exception, ServerCallContext context)
    {
        if (ClientAborts.IsAbort(exception, context.CancellationToken))
        {
            aborts.Record(ClientAborts.Grpc, context.Method, exception);
            return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
        }
        if (ApiRequestError.From(exception) is { } problem) return ApiProblems.RpcException(problem.Code, problem.Message);
        return Unexpected(logger, exception, context, ApiProblems.Internal);
    }
}
