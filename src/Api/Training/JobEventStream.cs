using System.Text;
using System.Text.Json;
using EmbeddingService.Api.Problems;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Training;

/// <summary>
/// GET /v1/admin/jobs/{id}/events: the worker's WatchJob as Server-Sent Events. Each event's type is state, progress,
/// evaluation, checkpoint or warning and its data one JSON object; a comment line every <see cref="Heartbeat"/> keeps
/// proxies from closing a quiet stream; the stream ends after the job's terminal state. A worker lost mid-stream ends it
/// with an "error" event (code trainer_unavailable): reconnect to continue (the first event is the current state).
/// </summary>
public static class JobEventStream
{
    public const string MediaType = "text/event-stream";
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);

    public static async Task WriteAsync(HttpContext context, TrainerConnection trainer, string id)
    {
        trainer.EnsureEnabled();
        var cancellation = context.RequestAborted;
        var json = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        using var call = trainer.Client.WatchJob(new V1.JobRef { Id = id }, cancellationToken: cancellation);
        var stream = call.ResponseStream;
        // The first event is read before any byte is sent, so that an unknown job is a 404 problem, not an empty stream.
        if (!await TrainerErrors.Call(() => stream.MoveNext(cancellation))) return;
        var response = context.Response;
        response.ContentType = MediaType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await WriteEventAsync(response, stream.Current, json, cancellation);
        var next = stream.MoveNext(cancellation);
        try
        {
            while (true)
            {
                if (await Task.WhenAny(next, Task.Delay(Heartbeat, cancellation)) != next)
                {
                    await response.WriteAsync(": heartbeat\n\n", cancellation);
                    await response.Body.FlushAsync(cancellation);
                    continue;
                }
                if (!await next) return;
                await WriteEventAsync(response, stream.Current, json, cancellation);
                next = stream.MoveNext(cancellation);
            }
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            var problem = TrainerErrors.ToProblem(e);
            await WriteAsync(response, "error", JsonSerializer.Serialize(new { code = problem.Code, detail = problem.Message }, json), cancellation);
        }
        // The watcher went away: the stream simply ends (the response has started, so there is nothing to answer).
        catch (Exception e) when (cancellation.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
        }
    }

    private static Task WriteEventAsync(HttpResponse response, V1.JobEvent e, JsonSerializerOptions json, CancellationToken cancellation)
    {
        var at = e.At?.ToDateTimeOffset();
        object data = e.EventCase switch
        {
            V1.JobEvent.EventOneofCase.State => new
            {
                job_id = e.JobId, at, state = JobNames.State(e.State.State), reason = e.State.Reason, message = e.State.Message,
                step = e.State.Step, total_steps = e.State.TotalSteps,
            },
            V1.JobEvent.EventOneofCase.Progress => new
            {
                job_id = e.JobId, at, step = e.Progress.Step, total_steps = e.Progress.TotalSteps, stage = e.Progress.Stage,
                losses = e.Progress.Losses, total_loss = e.Progress.TotalLoss, lr = e.Progress.Lr, images_per_second = e.Progress.ImagesPerSecond,
                eta_seconds = e.Progress.EtaSeconds, resumed_from = e.Progress.ResumedFrom.Length == 0 ? null : e.Progress.ResumedFrom,
            },
            V1.JobEvent.EventOneofCase.Evaluation => new { job_id = e.JobId, at, step = e.Evaluation.Step, results = e.Evaluation.Results },
            V1.JobEvent.EventOneofCase.Checkpoint => new { job_id = e.JobId, at, step = e.Checkpoint.Step, path = e.Checkpoint.Path },
            V1.JobEvent.EventOneofCase.Warning => new { job_id = e.JobId, at, step = e.Warning.Step, message = e.Warning.Message },
            _ => new { job_id = e.JobId, at },
        };
        var type = e.EventCase == V1.JobEvent.EventOneofCase.None ? "unknown" : e.EventCase.ToString().ToLowerInvariant();
        return WriteAsync(response, type, JsonSerializer.Serialize(data, json), cancellation);
    }

    private static async Task WriteAsync(HttpResponse response, string type, string data, CancellationToken cancellation)
    {
        // JSON from the serializer has no raw newline, so one data line carries it.
        await response.WriteAsync(new StringBuilder().Append("event: ").Append(type).Append('\n').Append("data: ").Append(data).Append("\n\n").ToString(), cancellation);
        await response.Body.FlushAsync(cancellation);
    }
}
