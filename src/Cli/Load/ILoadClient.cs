namespace EmbeddingService.Cli.Load;

/// <summary>Sends one image and waits for its embedding; returns null on success or an error code.</summary>
public interface ILoadClient : IAsyncDisposable
{
    Task<(string? Error, float[]? Embedding)> EmbedAsync(int index, byte[] image, CancellationToken cancellationToken);
}
