using EmbeddingService.Api.Problems;
using Grpc.Core;

namespace EmbeddingService.Api.Training;

/// <summary>
/// A failed call to the trainer worker as the API's problem: the worker's status message starts with its stable code
/// (job_not_found: ...), which is kept; a worker that cannot be reached is trainer_unavailable.
/// </summary>
public static class TrainerErrors
{
    public static bool IsUnavailable(RpcException e) => e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded;

    public static ApiRequestError ToProblem(RpcException e)
    {
        if (IsUnavailable(e))
            return new ApiRequestError(ApiProblems.TrainerUnavailable, $"the trainer worker cannot be reached: {e.Status.Detail}");
        var detail = e.Status.Detail;
        var colon = detail.IndexOf(": ", StringComparison.Ordinal);
        if (colon > 0 && ApiProblems.IsCode(detail[..colon])) return new ApiRequestError(detail[..colon], detail[(colon + 2)..]);
        var code = e.StatusCode switch
        {
            StatusCode.InvalidArgument or StatusCode.OutOfRange => ApiProblems.InvalidArgument,
            StatusCode.NotFound => ApiProblems.NotFound,
            StatusCode.FailedPrecondition => ApiProblems.JobState,
            StatusCode.AlreadyExists => ApiProblems.IdempotencyConflict,
            _ => ApiProblems.Internal,
        };
        return new ApiRequestError(code, code == ApiProblems.Internal ? $"the trainer worker failed: {detail}" : detail);
    }

    /// <summary>Runs a call to the worker; its failure is thrown as the API's problem.</summary>
    public static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw ToProblem(e);
        }
    }
}
