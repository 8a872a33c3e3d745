namespace EmbeddingService.Trainer.Jobs;

/// <summary>What a running job was asked to do at its next step boundary; kept in the store, so a worker killed meanwhile still honours it.</summary>
public enum StopRequest
{
    None,
    Pause,
    Cancel,
}
