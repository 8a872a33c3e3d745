using EmbeddingService.Trainer.Jobs;
using Google.Protobuf.WellKnownTypes;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Endpoints;

/// <summary>Between the store's records and the gRPC messages: jobs, transitions, kinds and states, logs and artifacts.</summary>
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

    public static V1.JobKind Kind(JobKind kind) => kind switch
    {
        JobKind.Pretrain => V1.JobKind.Pretrain,
        JobKind.Distill => V1.JobKind.Distill,
        JobKind.EvalKnn => V1.JobKind.EvalKnn,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static JobKind Kind(V1.JobKind kind) => kind switch
    {
        V1.JobKind.Pretrain => JobKind.Pretrain,
        V1.JobKind.Distill => JobKind.Distill,
        V1.JobKind.EvalKnn => JobKind.EvalKnn,
        _ => throw new JobRequestException(JobError.InvalidArgument, $"kind: must be JOB_KIND_PRETRAIN, JOB_KIND_DISTILL or JOB_KIND_EVAL_KNN, not {kind}"),
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

    public static V1.JobLogLine LogLine(JobLogLine line) => new()
    {
        Number = line.Number,
        At = Timestamp.FromDateTimeOffset(line.At),
        Level = line.Level,
        Message = line.Message,
    };

    public static V1.Artifact Artifact(JobArtifact artifact) => new()
    {
        Path = artifact.Path,
        Kind = artifact.Kind,
        SizeBytes = artifact.SizeBytes,
        ModifiedAt = Timestamp.FromDateTimeOffset(artifact.ModifiedAt),
    };
}
