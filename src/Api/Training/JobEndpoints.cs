using System.Globalization;
using System.Numerics;
using System.Text.Json;
using EmbeddingService.Api.Admin;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Hosting.OpenApi;
using EmbeddingService.Api.Problems;
using Grpc.Core;
using Microsoft.Extensions.Options;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Training;

/// <summary>REST /v1/admin/jobs: training jobs of the trainer worker (submit, list, get, cancel, pause, resume, events, metrics, logs, artifacts).</summary>
public static class JobEndpoints
{
    private static readonly string[] JobCodes = [ApiProblems.JobNotFound, ApiProblems.TrainerUnavailable];

    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder routes)
    {
        var jobs = routes.MapAdminGroup().MapGroup("/jobs").DisableAntiforgery().ProducesProblems(ApiProblems.InvalidArgument, ApiProblems.TrainerUnavailable);
        jobs.MapPost("", SubmitAsync).WithName("SubmitJob").WithSummary("Submit a training job")
            .WithDescription("Queues a pretrain, distill or eval-knn job with its run spec (the file `embedctl train --config` reads) and priority (higher first). " +
                             "The worker checks the spec, its data folders and teacher first: a bad one is refused naming the field and nothing is queued. " +
                             "With an Idempotency-Key header, the same key with the same body answers the first job (200), with another body 409 idempotency_conflict.")
            .Produces<JobResource>(StatusCodes.Status201Created).Produces<JobResource>()
            .ProducesProblems(ApiProblems.InvalidSpec, ApiProblems.PathOutsideDataRoot, ApiProblems.SpecTooLarge, ApiProblems.PayloadTooLarge, ApiProblems.UnsupportedMediaType,
                ApiProblems.IdempotencyConflict)
            .AddOpenApiOperationTransformer(TrainingDocs.SubmitJob);
        jobs.MapGet("", ListAsync).WithName("ListJobs").WithSummary("List training jobs")
            .WithDescription("Newest first, without history; filtered by state and kind (each repeatable or comma-separated), in pages of page_size (default 50, at most 500): " +
                             "pass next_page_token as page_token for the next page.")
            .Produces<JobPageResource>().AddOpenApiOperationTransformer(TrainingDocs.ListJobs);
        jobs.MapGet("/{id}", (string id, TrainerConnection trainer, HttpContext context) =>
                Job(trainer.CallAsync((c, o) => c.GetJobAsync(new V1.JobRef { Id = id }, o), context.RequestAborted)))
            .WithName("GetJob").WithSummary("Get a training job").WithDescription("The job's state, reason and message, progress, completed spec and every state transition with its time.")
            .Produces<JobResource>().ProducesProblems(JobCodes);
        MapOperation(jobs, "cancel", "CancelJob", "Cancel a job", "Queued or paused: cancelled at once; running: stops at the next step boundary (checkpointed), then cancelled.",
            (c, r, o) => c.CancelJobAsync(r, o));
        MapOperation(jobs, "pause", "PauseJob", "Pause a job", "Queued: paused at once; running: checkpoints at the next step boundary and releases the device.",
            (c, r, o) => c.PauseJobAsync(r, o));
        MapOperation(jobs, "resume", "ResumeJob", "Resume a paused job", "Queued again; it continues from its last checkpoint (the step count goes on).",
            (c, r, o) => c.ResumeJobAsync(r, o));
        jobs.MapGet("/{id}/events", (string id, HttpContext context, TrainerConnection trainer) => JobEventStream.WriteAsync(context, trainer, id))
            .WithName("WatchJob").WithSummary("Watch a job (Server-Sent Events)")
            .WithDescription("text/event-stream: the current state first, then every event until the job is terminal. Event types: state, progress (step, total_steps, stage, losses, " +
                             "total_loss, lr, images_per_second, eta_seconds), evaluation (results), checkpoint, warning; data is one JSON object. A comment line every 10 s keeps the " +
                             "connection open. A worker lost mid-stream ends it with an error event (code trainer_unavailable). `curl -N` shows it live.")
            .Produces(StatusCodes.Status200OK, contentType: JobEventStream.MediaType).ProducesProblems(JobCodes);
        jobs.MapGet("/{id}/metrics", MetricsAsync).WithName("GetJobMetrics").WithSummary("A job's per-step metrics")
            .WithDescription("The run's metrics.jsonl records (losses, lr, img/s per step), from from_step on, at most limit (default 1000, at most 10000); next_from_step continues.")
            .Produces<JobMetricsResource>().ProducesProblems(JobCodes).AddOpenApiOperationTransformer(TrainingDocs.Paging("from_step", "limit"));
        jobs.MapGet("/{id}/logs", LogsAsync).WithName("GetJobLogs").WithSummary("A job's log")
            .WithDescription("What the worker and the run reported about the job, oldest first: the lines after after_line, at most limit (default 1000); next_after_line continues.")
            .Produces<JobLogsResource>().ProducesProblems(JobCodes).AddOpenApiOperationTransformer(TrainingDocs.Paging("after_line", "limit"));
        jobs.MapGet("/{id}/artifacts", async (string id, TrainerConnection trainer, HttpContext context) =>
            {
                var list = await trainer.CallAsync((c, o) => c.ListArtifactsAsync(new V1.JobRef { Id = id }, o), context.RequestAborted);
                return Results.Json(new ArtifactListResource(list.Artifacts.Select(a => new ArtifactResource(a.Path, a.Kind, a.SizeBytes, a.ModifiedAt.ToDateTimeOffset())).ToList()));
            })
            .WithName("ListJobArtifacts").WithSummary("List a job's artifacts")
            .WithDescription("Checkpoints, the exported model, summary.json, metrics.jsonl, spec.json and the log, with their sizes; each downloads at …/artifacts/{path}.")
            .Produces<ArtifactListResource>().ProducesProblems(JobCodes);
        jobs.MapGet("/{id}/artifacts/{**path}", ArtifactDownload.WriteAsync).WithName("DownloadJobArtifact").WithSummary("Download an artifact")
            .WithDescription("The file's bytes (application/octet-stream, with Content-Length), streamed from the worker; the path as the artifact list gives it.")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream").ProducesProblems(ApiProblems.JobNotFound, ApiProblems.ArtifactNotFound);
        return routes;
    }

    private static void MapOperation(RouteGroupBuilder jobs, string verb, string name, string summary, string description,
        Func<V1.Training.TrainingClient, V1.JobRef, CallOptions, AsyncUnaryCall<V1.Job>> call) =>
        jobs.MapPost($"/{{id}}/{verb}", (string id, TrainerConnection trainer, HttpContext context) =>
                Job(trainer.CallAsync((c, o) => call(c, new V1.JobRef { Id = id }, o), context.RequestAborted)))
            .WithName(name).WithSummary(summary).WithDescription(description + " 409 job_state when the job's state does not allow it.")
            .Produces<JobResource>().ProducesProblems([.. JobCodes, ApiProblems.JobState]);

    private static async Task<IResult> Job(Task<V1.Job> call) => Results.Json(JobResource.Of(await call));

    private static async Task<IResult> SubmitAsync(HttpContext context, TrainerConnection trainer, IOptions<TrainingOptions> options)
    {
        var submission = await JobSubmissionReader.ReadAsync(context.Request, options.Value.MaxSpecBytes, context.RequestAborted);
        trainer.EnsureEnabled();
        var job = await trainer.CallAsync((c, o) => c.SubmitJobAsync(submission, o), context.RequestAborted);
        var resource = JobResource.Of(job);
        return job.Replayed
            ? Results.Json(resource)
            : Results.Created($"{ServiceEndpoints.AdminPrefix}/jobs/{Uri.EscapeDataString(job.Id)}", resource);
    }

    private static async Task<IResult> ListAsync(HttpContext context, TrainerConnection trainer)
    {
        var query = context.Request.Query;
        JsonMembers.RequireKnownQuery(context.Request, "state", "kind", "page_size", "page_token");
        var request = new V1.ListJobsRequest { PageSize = Integer(query, "page_size", 0), PageToken = query["page_token"].ToString() };
        foreach (var name in Values(query, "state"))
            request.States.Add(JobNames.TryState(name, out var state) ? state : throw Invalid($"state: must be {string.Join(", ", JobNames.States)}, not '{name}'"));
        foreach (var name in Values(query, "kind"))
            request.Kinds.Add(JobNames.TryKind(name, out var kind) ? kind : throw Invalid($"kind: must be {string.Join(", ", JobNames.Kinds)}, not '{name}'"));
        var page = await trainer.CallAsync((c, o) => c.ListJobsAsync(request, o), context.RequestAborted);
        return Results.Json(new JobPageResource(page.Jobs.Select(JobResource.Of).ToList(), page.NextPageToken.Length == 0 ? null : page.NextPageToken));
    }

    private static async Task<IResult> MetricsAsync(string id, HttpContext context, TrainerConnection trainer)
    {
        JsonMembers.RequireKnownQuery(context.Request, "from_step", "limit");
        var request = new V1.JobMetricsRequest { Id = id, FromStep = Integer(context.Request.Query, "from_step", 0L), Limit = Integer(context.Request.Query, "limit", 0) };
        var metrics = await trainer.CallAsync((c, o) => c.GetJobMetricsAsync(request, o), context.RequestAborted);
        return Results.Json(new JobMetricsResource(metrics.RecordsJson.Select(r => JsonDocument.Parse(r).RootElement.Clone()).ToList(), metrics.NextFromStep));
    }

    private static async Task<IResult> LogsAsync(string id, HttpContext context, TrainerConnection trainer)
    {
        JsonMembers.RequireKnownQuery(context.Request, "after_line", "limit");
        var request = new V1.JobLogsRequest { Id = id, AfterLine = Integer(context.Request.Query, "after_line", 0L), Limit = Integer(context.Request.Query, "limit", 0) };
        var logs = await trainer.CallAsync((c, o) => c.GetJobLogsAsync(request, o), context.RequestAborted);
        return Results.Json(new JobLogsResource(logs.Lines.Select(l => new JobLogLineResource(l.Number, l.At.ToDateTimeOffset(), l.Level, l.Message)).ToList(), logs.NextAfterLine));
    }

    private static IEnumerable<string> Values(IQueryCollection query, string name) =>
        query[name].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static T Integer<T>(IQueryCollection query, string name, T absent) where T : struct, IBinaryInteger<T>
    {
        var text = query[name].ToString();
        if (text.Length == 0) return absent;
        return T.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw Invalid($"{name}: must be a non-negative integer, not '{text}'");
    }

    private static ApiRequestError Invalid(string message) => new(ApiProblems.InvalidArgument, message);
}
