using Microsoft.AspNetCore.Diagnostics;

namespace EmbeddingService.Api.Problems;

/// <summary>
/// The REST end of the error path: a known failure becomes its problem+json; anything else is left to the
/// framework's bare 500 with a trace id (a bug: its stack is logged, never sent).
/// </summary>
internal sealed class ProblemExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (ApiRequestError.From(exception) is not { } problem) return false;
        await ApiProblems.Result(problem.Code, problem.Message, problem.Index, problem.RetryAfter).ExecuteAsync(context);
        return true;
    }
}
