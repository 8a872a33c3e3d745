namespace EmbeddingService.Engine.Checkpoints;

/// <summary>A checkpoint could not be read or does not describe a valid DINOv2 backbone.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string message) : base(message)
    {
    }

    public CheckpointException(string message, Exception inner) : base(message, inner)
    {
    }
}
