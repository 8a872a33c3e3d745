using Google.Protobuf.WellKnownTypes;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>The events WatchJob streams, made from the store's records and the run's progress.</summary>
public static class JobEvents
{
    public static V1.JobEvent StateChanged(JobRecord job) => new()
    {
        JobId = job.Id,
        At = Timestamp.FromDateTimeOffset(job.UpdatedAt),
        State = new V1.JobStateChange
        {
            State = ToMessage(job.State),
            Reason = job.Reason,
            Message = job.Message,
            Step = job.Step,
            TotalSteps = job.TotalSteps,
        },
    };

    public static V1.JobEvent Progress(string jobId, DateTimeOffset at, V1.JobProgress progress) =>
        new() { JobId = jobId, At = Timestamp.FromDateTimeOffset(at), Progress = progress };

    public static V1.JobEvent Checkpoint(string jobId, DateTimeOffset at, long step, string path) =>
        new() { JobId = jobId, At = Timestamp.FromDateTimeOffset(at), Checkpoint = new V1.JobCheckpoint { Step = step, Path = path } };

    public static V1.JobEvent Evaluation(string jobId, DateTimeOffset at, long step, IReadOnlyDictionary<string, double> results)
    {
        var evaluation = new V1.JobEvaluation { Step = step };
        foreach (var (name, value) in results) evaluation.Results[name] = value;
        return new() { JobId = jobId, At = Timestamp.FromDateTimeOffset(at), Evaluation = evaluation };
    }

    public static V1.JobEvent Warning(string jobId, DateTimeOffset at, long step, string message) =>
        new() { JobId = jobId, At = Timestamp.FromDateTimeOffset(at), Warning = new V1.JobWarning { Step = step, Message = message } };

    public static V1.JobState ToMessage(JobState state) => state switch
    {
        JobState.Queued => V1.JobState.Queued,
        JobState.Running => V1.JobState.Running,
        JobState.Paused => V1.JobState.Paused,
        JobState.Succeeded => V1.JobState.Succeeded,
        JobState.Failed => V1.JobState.Failed,
        JobState.Cancelled => V1.JobState.Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}
