namespace EmbeddingService.Training.Runs;

/// <summary>How a run treats checkpoints already in its output folder.</summary>
public enum ResumeMode
{
    /// <summary>Resume from the newest checkpoint when there is one (of the same spec, else refuse); start afresh otherwise.</summary>
    Auto,

    /// <summary>Resume from the newest checkpoint; no checkpoint is an error (<c>--resume</c>).</summary>
    Required,
}
