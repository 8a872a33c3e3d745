using Grpc.Core;
using Grpc.Core.Interceptors;
using EmbeddingService.Trainer.Jobs;

namespace EmbeddingService.Trainer.Endpoints;

/// <summary>
/// The worker's one error path: a refused request (<see cref="JobRequestException"/>) becomes its status, with a
/// message "code: detail"; a caller that went away is CANCELLED; anything else is INTERNAL (a bug: logged, not sent).
/// </summary>
public sealed class JobErrorInterceptor(ILogger<JobErrorInterceptor> logger) : Interceptor
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

    public static (StatusCode Status, string Code) StatusOf(JobError error) => error switch
    {
        JobError.InvalidArgument => (StatusCode.InvalidArgument, "invalid_argument"),
        JobError.InvalidSpec => (StatusCode.InvalidArgument, "invalid_spec"),
        JobError.NotFound => (StatusCode.NotFound, "job_not_found"),
        JobError.StateConflict => (StatusCode.FailedPrecondition, "job_state"),
        JobError.IdempotencyConflict => (StatusCode.AlreadyExists, "idempotency_conflict"),
        JobError.PathOutsideDataRoot => (StatusCode.InvalidArgument, "path_outside_data_root"),
        JobError.ModelNotFound => (StatusCode.NotFound, "model_not_found"),
        JobError.ArtifactNotFound => (StatusCode.NotFound, "artifact_not_found"),
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };

    private RpcException ToStatus(Exception exception, ServerCallContext context)
    {
        if (exception is JobRequestException refused)
        {
            var (status, code) = StatusOf(refused.Error);
            return new RpcException(new Status(status, $"{code}: {refused.Message}"));
        }
        if (exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
        var traceId = context.GetHttpContext().TraceIdentifier;
        logger.LogError(exception, "gRPC {Method} failed unexpectedly (trace id {TraceId})", context.Method, traceId);
        return new RpcException(new Status(StatusCode.Internal, $"internal: an unexpected error; trace id {traceId}"));
    }
}
