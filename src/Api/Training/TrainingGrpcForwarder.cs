using EmbeddingService.Api.Security;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Training;

/// <summary>
/// embedding.v1.Training on the API's gRPC port (admin key), so that an operator needs only the API: each call goes to
/// the trainer worker as it is, its status comes back with the worker's code (trainer_unavailable when it cannot be
/// reached). ActivateModel also switches this replica before it answers, as REST does.
/// </summary>
[Authorize(Policy = AuthPolicies.Admin)]
public sealed class TrainingGrpcForwarder(TrainerConnection trainer, ModelActivation activation) : V1.Training.TrainingBase
{
    public override Task<V1.Job> SubmitJob(V1.SubmitJobRequest request, ServerCallContext context) => Call((c, o) => c.SubmitJobAsync(request, o), context);

    public override Task<V1.Job> GetJob(V1.JobRef request, ServerCallContext context) => Call((c, o) => c.GetJobAsync(request, o), context);

    public override Task<V1.ListJobsResponse> ListJobs(V1.ListJobsRequest request, ServerCallContext context) => Call((c, o) => c.ListJobsAsync(request, o), context);

    public override Task<V1.Job> CancelJob(V1.JobRef request, ServerCallContext context) => Call((c, o) => c.CancelJobAsync(request, o), context);

    public override Task<V1.Job> PauseJob(V1.JobRef request, ServerCallContext context) => Call((c, o) => c.PauseJobAsync(request, o), context);

    public override Task<V1.Job> ResumeJob(V1.JobRef request, ServerCallContext context) => Call((c, o) => c.ResumeJobAsync(request, o), context);

    public override Task<V1.JobMetricsResponse> GetJobMetrics(V1.JobMetricsRequest request, ServerCallContext context) => Call((c, o) => c.GetJobMetricsAsync(request, o), context);

    public override Task<V1.JobLogsResponse> GetJobLogs(V1.JobLogsRequest request, ServerCallContext context) => Call((c, o) => c.GetJobLogsAsync(request, o), context);

    public override Task<V1.ListArtifactsResponse> ListArtifacts(V1.JobRef request, ServerCallContext context) => Call((c, o) => c.ListArtifactsAsync(request, o), context);

    public override Task<V1.ListModelsResponse> ListModels(V1.ListModelsRequest request, ServerCallContext context) => Call((c, o) => c.ListModelsAsync(request, o), context);

    public override Task<V1.Model> GetModel(V1.ModelRef request, ServerCallContext context) => Call((c, o) => c.GetModelAsync(request, o), context);

    public override async Task<V1.ActiveModel> ActivateModel(V1.ModelRef request, ServerCallContext context) =>
        (await activation.ActivateAsync(request.Id, context.CancellationToken)).Active;

    public override Task WatchJob(V1.JobRef request, IServerStreamWriter<V1.JobEvent> responseStream, ServerCallContext context) =>
        Stream((c, o) => c.WatchJob(request, o), responseStream, context);

    public override Task DownloadArtifact(V1.ArtifactRef request, IServerStreamWriter<V1.FileChunk> responseStream, ServerCallContext context) =>
        Stream((c, o) => c.DownloadArtifact(request, o), responseStream, context);

    public override Task WatchActiveModel(V1.WatchActiveModelRequest request, IServerStreamWriter<V1.ActiveModel> responseStream, ServerCallContext context) =>
        Stream((c, o) => c.WatchActiveModel(request, o), responseStream, context);

    public override Task DownloadModel(V1.ModelFileRef request, IServerStreamWriter<V1.FileChunk> responseStream, ServerCallContext context) =>
        Stream((c, o) => c.DownloadModel(request, o), responseStream, context);

    private Task<T> Call<T>(Func<V1.Training.TrainingClient, CallOptions, AsyncUnaryCall<T>> call, ServerCallContext context) =>
        trainer.CallAsync(call, context.CancellationToken);

    private async Task Stream<T>(Func<V1.Training.TrainingClient, CallOptions, AsyncServerStreamingCall<T>> start, IServerStreamWriter<T> responseStream, ServerCallContext context)
    {
        trainer.EnsureEnabled();
        using var call = start(trainer.Client, new CallOptions(cancellationToken: context.CancellationToken));
        await TrainerErrors.Call(async () =>
        {
            await foreach (var item in call.ResponseStream.ReadAllAsync(context.CancellationToken)) await responseStream.WriteAsync(item, context.CancellationToken);
            return true;
        });
    }
}
