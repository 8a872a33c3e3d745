using System.Globalization;
using System.Threading.Channels;
using EmbeddingService.Trainer.Jobs;
using EmbeddingService.Trainer.Models;
using EmbeddingService.Training.Runs;
using Grpc.Core;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Endpoints;

/// <summary>
/// embedding.v1.Training: the job operations of <see cref="JobScheduler"/>, the store's reads, each job's metrics, log and
/// artifacts, and the <see cref="ModelRegistry"/> (models, activation, weights) over gRPC.
/// </summary>
public sealed class TrainingGrpcService(
    JobScheduler scheduler, JobStore store, JobEventHub events, JobLog log, ModelRegistry models, ActiveModelWatchers watchers, IHostApplicationLifetime lifetime)
    : V1.Training.TrainingBase
{
    public override Task<V1.Job> SubmitJob(V1.SubmitJobRequest request, ServerCallContext context)
    {
        var key = request.IdempotencyKey.Length == 0 ? null : request.IdempotencyKey;
        var (job, created) = scheduler.Submit(new JobSubmission(JobMessages.Kind(request.Kind), request.SpecJson, request.Priority, key));
        var message = WithHistory(job);
        message.Replayed = !created;
        return Task.FromResult(message);
    }

    public override Task<V1.Job> GetJob(V1.JobRef request, ServerCallContext context) =>
        Task.FromResult(WithHistory(scheduler.Get(Id(request))));

    public override Task<V1.ListJobsResponse> ListJobs(V1.ListJobsRequest request, ServerCallContext context)
    {
        if (request.PageSize is < 0 or > JobQuery.MaxPageSize)
            throw new JobRequestException(JobError.InvalidArgument, $"page_size: must be 1-{JobQuery.MaxPageSize} (0: {JobQuery.DefaultPageSize}), not {request.PageSize}");
        long? after = null;
        if (request.PageToken.Length > 0)
            after = long.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) && sequence > 0
                ? sequence
                : throw new JobRequestException(JobError.InvalidArgument, $"page_token: '{request.PageToken}' is not a next_page_token of a job listing");
        var page = store.List(new JobQuery
        {
            States = request.States.Select(JobMessages.State).ToArray(),
            Kinds = request.Kinds.Select(JobMessages.Kind).ToArray(),
            PageSize = request.PageSize == 0 ? JobQuery.DefaultPageSize : request.PageSize,
            AfterSequence = after,
        });
        var response = new V1.ListJobsResponse { NextPageToken = page.NextAfterSequence?.ToString(CultureInfo.InvariantCulture) ?? "" };
        response.Jobs.AddRange(page.Jobs.Select(job => JobMessages.Job(job)));
        return Task.FromResult(response);
    }

    public override Task<V1.Job> CancelJob(V1.JobRef request, ServerCallContext context) =>
        Task.FromResult(WithHistory(scheduler.Cancel(Id(request))));

    public override Task<V1.Job> PauseJob(V1.JobRef request, ServerCallContext context) =>
        Task.FromResult(WithHistory(scheduler.Pause(Id(request))));

    public override Task<V1.Job> ResumeJob(V1.JobRef request, ServerCallContext context) =>
        Task.FromResult(WithHistory(scheduler.Resume(Id(request))));

    public override async Task WatchJob(V1.JobRef request, IServerStreamWriter<V1.JobEvent> responseStream, ServerCallContext context)
    {
        // Subscribed before the current state is read: nothing between the two is missed (at worst an event comes twice).
        using var subscription = events.Subscribe(Id(request));
        var job = scheduler.Get(request.Id);
        await responseStream.WriteAsync(JobEvents.StateChanged(job), context.CancellationToken);
        if (job.State.IsTerminal()) return;
        await foreach (var jobEvent in UntilStopping(subscription.Events, context))
        {
            await responseStream.WriteAsync(jobEvent, context.CancellationToken);
            if (jobEvent.EventCase == V1.JobEvent.EventOneofCase.State && JobMessages.State(jobEvent.State.State).IsTerminal()) return;
        }
    }

    public override Task<V1.JobMetricsResponse> GetJobMetrics(V1.JobMetricsRequest request, ServerCallContext context)
    {
        var job = scheduler.Get(Id(request.Id));
        if (request.FromStep < 0) throw new JobRequestException(JobError.InvalidArgument, $"from_step: must be >= 0, not {request.FromStep}");
        var (records, next) = MetricsPages.Read(job.OutputDirectory, request.FromStep, Limit(request.Limit, MetricsPages.DefaultLimit, MetricsPages.MaxLimit));
        var response = new V1.JobMetricsResponse { NextFromStep = next };
        response.RecordsJson.AddRange(records);
        return Task.FromResult(response);
    }

    public override Task<V1.JobLogsResponse> GetJobLogs(V1.JobLogsRequest request, ServerCallContext context)
    {
        var job = scheduler.Get(Id(request.Id));
        if (request.AfterLine < 0) throw new JobRequestException(JobError.InvalidArgument, $"after_line: must be >= 0, not {request.AfterLine}");
        var lines = log.Read(job.OutputDirectory, request.AfterLine, Limit(request.Limit, JobLog.DefaultLimit, JobLog.MaxLimit));
        var response = new V1.JobLogsResponse { NextAfterLine = lines.Count > 0 ? lines[^1].Number : request.AfterLine };
        response.Lines.AddRange(lines.Select(JobMessages.LogLine));
        return Task.FromResult(response);
    }

    public override Task<V1.ListArtifactsResponse> ListArtifacts(V1.JobRef request, ServerCallContext context)
    {
        var response = new V1.ListArtifactsResponse();
        response.Artifacts.AddRange(JobArtifacts.List(scheduler.Get(Id(request)).OutputDirectory).Select(JobMessages.Artifact));
        return Task.FromResult(response);
    }

    public override Task DownloadArtifact(V1.ArtifactRef request, IServerStreamWriter<V1.FileChunk> responseStream, ServerCallContext context)
    {
        var job = scheduler.Get(Id(request.JobId, "job_id"));
        return FileChunks.SendAsync(JobArtifacts.Resolve(job.OutputDirectory, request.Path), responseStream, context.CancellationToken);
    }

    public override Task<V1.ListModelsResponse> ListModels(V1.ListModelsRequest request, ServerCallContext context)
    {
        var active = models.Active();
        var response = new V1.ListModelsResponse { Active = ModelMessages.Active(active) };
        response.Models.AddRange(models.List().Select(model => ModelMessages.Model(model, active.Model?.Id)));
        return Task.FromResult(response);
    }

    public override Task<V1.Model> GetModel(V1.ModelRef request, ServerCallContext context) =>
        Task.FromResult(ModelMessages.Model(models.Get(ModelId(request.Id)), models.Active().Model?.Id));

    public override Task<V1.ActiveModel> ActivateModel(V1.ModelRef request, ServerCallContext context) =>
        Task.FromResult(ModelMessages.Active(models.Activate(ModelId(request.Id))));

    public override async Task WatchActiveModel(V1.WatchActiveModelRequest request, IServerStreamWriter<V1.ActiveModel> responseStream, ServerCallContext context)
    {
        // Subscribed before the first read: an activation between the two wakes the loop, which then sends it.
        var (wakeUps, lease) = watchers.Subscribe();
        using (lease)
        {
            var sent = models.Active();
            await responseStream.WriteAsync(ModelMessages.Active(sent), context.CancellationToken);
            await foreach (var _ in UntilStopping(wakeUps, context))
            {
                var active = models.Active();
                if (active.Generation == sent.Generation) continue;
                await responseStream.WriteAsync(ModelMessages.Active(active), context.CancellationToken);
                sent = active;
            }
        }
    }

    public override Task DownloadModel(V1.ModelFileRef request, IServerStreamWriter<V1.FileChunk> responseStream, ServerCallContext context)
    {
        var model = models.Get(ModelId(request.ModelId, "model_id"));
        if (!ModelRecord.Files.Contains(request.File))
            throw new JobRequestException(JobError.ArtifactNotFound,
                $"file: model {model.Id} has no file '{request.File}'; its files are {string.Join(", ", ModelRecord.Files)}");
        return FileChunks.SendAsync(model.FilePath(request.File), responseStream, context.CancellationToken);
    }

    /// <summary>
    /// The items of a watch until the caller leaves, or — ending the stream with OK, for the watcher to reconnect — until
    /// the worker stops: an open watch would otherwise hold the shutdown for its whole timeout.
    /// </summary>
    private async IAsyncEnumerable<T> UntilStopping<T>(ChannelReader<T> reader, ServerCallContext context)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        while (true)
        {
            try
            {
                if (!await reader.WaitToReadAsync(either.Token)) yield break;
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
            {
                yield break;
            }
            while (reader.TryRead(out var item)) yield return item;
        }
    }

    private V1.Job WithHistory(JobRecord job) => JobMessages.Job(job, store.History(job.Id));

    private static string Id(V1.JobRef request) => Id(request.Id);

    private static string Id(string id, string field = "id") =>
        id.Length > 0 ? id : throw new JobRequestException(JobError.InvalidArgument, $"{field}: the job id is required");

    private static string ModelId(string id, string field = "id") =>
        id.Length > 0 ? id : throw new JobRequestException(JobError.InvalidArgument, $"{field}: the model id is required (\"{ModelRegistry.Configured}\" clears the activation)");

    private static int Limit(int requested, int defaultLimit, int max) =>
        requested == 0 ? defaultLimit
        : requested > 0 && requested <= max ? requested
        : throw new JobRequestException(JobError.InvalidArgument, $"limit: must be 1-{max} (0: {defaultLimit}), not {requested}");
}
