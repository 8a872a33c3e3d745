using System.Globalization;
using EmbeddingService.Trainer.Jobs;
using Grpc.Core;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Endpoints;

/// <summary>embedding.v1.Training: the job operations of <see cref="JobScheduler"/> and the store's reads over gRPC.</summary>
public sealed class TrainingGrpcService(JobScheduler scheduler, JobStore store, JobEventHub events) : V1.Training.TrainingBase
{
    public override Task<V1.Job> SubmitJob(V1.SubmitJobRequest request, ServerCallContext context)
    {
        var key = request.IdempotencyKey.Length == 0 ? null : request.IdempotencyKey;
        var job = scheduler.Submit(new JobSubmission(JobMessages.Kind(request.Kind), request.SpecJson, request.Priority, key));
        return Task.FromResult(WithHistory(job));
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
                : throw new JobRequestException(JobError.InvalidArgument, $"page_token: '{request.PageToken}' is not a next_page_token of ListJobs");
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
        await foreach (var jobEvent in subscription.Events.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(jobEvent, context.CancellationToken);
            if (jobEvent.EventCase == V1.JobEvent.EventOneofCase.State && JobMessages.State(jobEvent.State.State).IsTerminal()) return;
        }
    }

    private V1.Job WithHistory(JobRecord job) => JobMessages.Job(job, store.History(job.Id));

    private static string Id(V1.JobRef request) =>
        request.Id.Length > 0 ? request.Id : throw new JobRequestException(JobError.InvalidArgument, "id: the job id is required");
}
