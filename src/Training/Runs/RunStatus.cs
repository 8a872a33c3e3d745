namespace EmbeddingService.Training.Runs;

/// <summary>How a run ended (summary.json's "status").</summary>
public enum RunStatus
{
    /// <summary>All iterations done; result exported.</summary>
    Completed,

    /// <summary>execution.max_minutes passed: stopped at a step boundary, checkpointed, exported; resumable.</summary>
    TimeBudget,

    /// <summary>The caller cancelled: stopped at a step boundary, checkpointed, exported; resumable.</summary>
    Cancelled,

    /// <summary>A loss term was NaN or infinite: stopped without checkpointing the step; the last good checkpoint stays.</summary>
    NonFiniteLoss,
}
