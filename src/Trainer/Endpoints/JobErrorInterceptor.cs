using EmbeddingService.Hosting.Grpc;
using EmbeddingService.Trainer.Jobs;
using Grpc.Core;

namespace EmbeddingService.Trainer.Endpoints;

/// <summary>
/// The worker's one error path: a refused request (<see cref="JobRequestException"/>) becomes its status, with a
/// message "code: detail"; a caller that went away is CANCELLED; anything else is INTERNAL (a bug: logged, not sent).
/// </summary>
public sealed class JobErrorInterceptor(ILogger<JobErrorInterceptor> logger) : StatusMappingInterceptor
{
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

    protected override RpcException ToStatus(Exception exception, ServerCallContext context)
    {
        if (exception is JobRequestException refused)
        {
            var (status, code) = StatusOf(refused.Error);
            return new RpcException(new Status(status, $"{code}: {refused.Message}"));
        }
        if (exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
        return Unexpected(logger, exception, context, "internal");
    }
}
