using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace EmbeddingService.Hosting.Grpc;

/// <summary>
/// The gRPC end of a service's error path, for every kind of handler: an exception that is not already an
/// <see cref="RpcException"/> becomes the status <see cref="ToStatus"/> maps it to (the service's known failures,
/// "code: detail"); what a service does not know is <see cref="Unexpected"/>.
/// </summary>
public abstract class StatusMappingInterceptor : Interceptor
{
    protected abstract RpcException ToStatus(Exception exception, ServerCallContext context);

    /// <summary>INTERNAL with a trace id: a bug, whose stack is logged and never sent.</summary>
    protected static RpcException Unexpected(ILogger logger, Exception exception, ServerCallContext context, string code)
    {
        var traceId = Activity.Current?.Id ?? context.GetHttpContext().TraceIdentifier;
        logger.LogError(exception, "gRPC {Method} failed unexpectedly (trace id {TraceId})", context.Method, traceId);
        return new RpcException(new Status(StatusCode.Internal, $"{code}: an unexpected error; trace id {traceId}"));
    }

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
}
