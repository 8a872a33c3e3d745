using System.Diagnostics;
using EmbeddingService.Api.Observability;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace EmbeddingService.Api.Problems;

/// <summary>
/// The gRPC end of the error path: a known failure becomes its status (message "code: detail"), a caller that went
/// away is counted and logged as such, and anything else is INTERNAL with a trace id (a bug: its stack is logged,
/// never sent).
/// </summary>
internal sealed class ProblemInterceptor(ClientAborts aborts, ILogger<ProblemInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw ToStatus(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw ToStatus(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw ToStatus(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw ToStatus(e, context);
        }
    }

    private RpcException ToStatus(Exception exception, ServerCallContext context)
    {
        if (ClientAborts.IsAbort(exception, context.CancellationToken))
        {
            aborts.Record(ClientAborts.Grpc, context.Method, exception);
            return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
        }
        if (ApiRequestError.From(exception) is { } problem) return ApiProblems.RpcException(problem.Code, problem.Message);
        var traceId = Activity.Current?.Id ?? context.GetHttpContext().TraceIdentifier;
        logger.LogError(exception, "gRPC {Method} failed unexpectedly (trace id {TraceId})", context.Method, traceId);
        return new RpcException(new Status(StatusCode.Internal, $"{ApiProblems.Internal}: an unexpected error; trace id {traceId}"));
    }
}
