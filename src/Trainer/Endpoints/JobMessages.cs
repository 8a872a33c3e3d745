using EmbeddingService.Trainer.Jobs;
using EmbeddingService.Training.Runs.Spec;
using Google.Protobuf.WellKnownTypes;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Endpoints;

/// <summary>Between the store's records and the gRPC messages: jobs, transitions, kinds and states.</summary>
public static class JobMessages
{
    public static V1.Job Job(JobRecord job, IReadOnlyList<JobTransition>? history = null)
    {
        var message = new V1.Job
        {
            Id = job.Id,
            Kind = Kind(job.Kind),
            State = JobEvents.ToMessage(job.State),
            Reason = job.Reason,
            Message = job.Message,
            Priority = job.Priority,
            SpecJson = job.Spec,
            SpecHash = job.SpecHash,
            IdempotencyKey = job.IdempotencyKey ?? "",
            Step = job.Step,
            TotalSteps = job.TotalSteps,
            OutputDir = job.OutputDirectory,
            CreatedAt = Timestamp.FromDateTimeOffset(job.CreatedAt),
            UpdatedAt = Timestamp.FromDateTimeOffset(job.UpdatedAt),
            StopRequest = job.StopRequest switch
            {
                StopRequest.Pause => V1.StopRequest.Pause,
                StopRequest.Cancel => V1.StopRequest.Cancel,
                _ => V1.StopRequest.None,
            },
        };
        foreach (var transition in history ?? [])
            message.History.Add(new V1.JobTransition
            {
                State = JobEvents.ToMessage(transition.State),
                Reason = transition.Reason,
                Message = transition.Message,
                At = Timestamp.FromDateTimeOffset(transition.At),
            });
        return message;
    }

    public static V1.JobKind Kind(RunKind kind) => kind switch
    {
        RunKind.Pretrain => V1.JobKind.Pretrain,
        RunKind.Distill => V1.JobKind.Distill,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The run kind of a request's job kind; eval-knn is refused as not run by this worker yet.</summary>
    public static RunKind Kind(V1.JobKind kind) => kind switch
    {
        V1.JobKind.Pretrain => RunKind.Pretrain,
        V1.JobKind.Distill => RunKind.Distill,
        V1.JobKind.EvalKnn => throw new JobRequestException(JobError.Unimplemented,
            "kind: eval-knn jobs are not run by the trainer worker yet; run `embedctl eval knn` instead"),
        _ => throw new JobRequestException(JobError.InvalidArgument, $"kind: must be JOB_KIND_PRETRAIN or JOB_KIND_DISTILL, not {kind}"),
    };

    public static JobState State(V1.JobState state) => state switch
    {
        V1.JobState.Queued => JobState.Queued,
        V1.JobState.Running => JobState.Running,
        V1.JobState.Paused => JobState.Paused,
        V1.JobState.Succeeded => JobState.Succeeded,
        V1.JobState.Failed => JobState.Failed,
        V1.JobState.Cancelled => JobState.Cancelled,
        _ => throw new JobRequestException(JobError.InvalidArgument, $"states: {state} is not a job state"),
    };
}
