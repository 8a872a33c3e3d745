namespace EmbeddingService.Trainer.Jobs;

/// <summary>Why a job request is refused; the gRPC layer maps each to one status code and one stable code string.</summary>
public enum JobError
{
    /// <summary>A request field other than the spec is wrong (kind, page token, page size, id).</summary>
    InvalidArgument,
    /// <summary>The run spec, its data folders or its teacher cannot be used; the message names the field.</summary>
    InvalidSpec,
    NotFound,
    /// <summary>The operation does not apply to the job's state (e.g. resuming a succeeded job).</summary>
    StateConflict,
    /// <summary>An idempotency key used before with another body.</summary>
    IdempotencyConflict,
    /// <summary>A spec path (data, evaluation folders, teacher, weights) that resolves outside Trainer:DataRoot.</summary>
    PathOutsideDataRoot,
    ModelNotFound,
    /// <summary>No such file among the job's artifacts or the model's files.</summary>
    ArtifactNotFound,
}
