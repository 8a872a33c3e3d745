using System.Text.Json;
using System.Text.Json.Serialization;
using EmbeddingService.Engine.Text;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Training;

/// <summary>The kebab-case names of the worker's enums in REST: states (queued, running…), kinds (pretrain, distill, eval-knn).</summary>
public static class JobNames
{
    public static string State(V1.JobState state) => KebabCaseNames<V1.JobState>.Name(state);

    public static string Kind(V1.JobKind kind) => KebabCaseNames<V1.JobKind>.Name(kind);

    public static string[] States { get; } = Enum.GetValues<V1.JobState>().Where(s => s != V1.JobState.Unspecified).Select(State).ToArray();

    public static string[] Kinds { get; } = Enum.GetValues<V1.JobKind>().Where(k => k != V1.JobKind.Unspecified).Select(Kind).ToArray();

    public static bool TryKind(string? name, out V1.JobKind kind) => KebabCaseNames<V1.JobKind>.TryParse(name, out kind) && kind != V1.JobKind.Unspecified;

    public static bool TryState(string? name, out V1.JobState state) => KebabCaseNames<V1.JobState>.TryParse(name, out state) && state != V1.JobState.Unspecified;
}

/// <summary>A training job: its state with the reason, progress, the completed spec and every transition.</summary>
public sealed record JobResource(
    string Id,
    string Kind,
    string State,
    string Reason,
    string Message,
    int Priority,
    JsonElement? Spec,
    [property: JsonPropertyName("spec_hash")] string SpecHash,
    [property: JsonPropertyName("idempotency_key"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? IdempotencyKey,
    long Step,
    [property: JsonPropertyName("total_steps")] long TotalSteps,
    [property: JsonPropertyName("stop_request"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StopRequest,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<JobTransitionResource>? History)
{
    public static JobResource Of(V1.Job job) => new(
        job.Id, JobNames.Kind(job.Kind), JobNames.State(job.State), job.Reason, job.Message, job.Priority,
        job.SpecJson.Length == 0 ? null : JsonDocument.Parse(job.SpecJson).RootElement.Clone(), job.SpecHash,
        job.IdempotencyKey.Length == 0 ? null : job.IdempotencyKey, job.Step, job.TotalSteps,
        job.StopRequest == V1.StopRequest.None ? null : KebabCaseNames<V1.StopRequest>.Name(job.StopRequest),
        job.CreatedAt.ToDateTimeOffset(), job.UpdatedAt.ToDateTimeOffset(),
        job.History.Count == 0 ? null : job.History.Select(t => new JobTransitionResource(JobNames.State(t.State), t.Reason, t.Message, t.At.ToDateTimeOffset())).ToList());
}

public sealed record JobTransitionResource(string State, string Reason, string Message, DateTimeOffset At);

/// <summary>A page of jobs, newest first; next_page_token is null on the last page.</summary>
public sealed record JobPageResource(IReadOnlyList<JobResource> Jobs, [property: JsonPropertyName("next_page_token")] string? NextPageToken);

/// <summary>The run's per-step records (metrics.jsonl) from a step on; next_from_step continues.</summary>
public sealed record JobMetricsResource(IReadOnlyList<JsonElement> Records, [property: JsonPropertyName("next_from_step")] long NextFromStep);

public sealed record JobLogLineResource(long Number, DateTimeOffset At, string Level, string Message);

/// <summary>The job's log lines after a line number; next_after_line continues.</summary>
public sealed record JobLogsResource(IReadOnlyList<JobLogLineResource> Lines, [property: JsonPropertyName("next_after_line")] long NextAfterLine);

/// <summary>A file a job produced: its path in the job's folder (for the download route), kind, size and time.</summary>
public sealed record ArtifactResource(string Path, string Kind, [property: JsonPropertyName("size_bytes")] long SizeBytes, [property: JsonPropertyName("modified_at")] DateTimeOffset ModifiedAt);

public sealed record ArtifactListResource(IReadOnlyList<ArtifactResource> Artifacts);
