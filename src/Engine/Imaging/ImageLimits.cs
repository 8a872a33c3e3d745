namespace EmbeddingService.Engine.Imaging;

/// <summary>Upper bounds an encoded image must respect before any pixel memory is allocated.</summary>
public sealed record ImageLimits
{
    public long MaxPixels { get; init; } = 40_000_000;

    public long MaxBytes { get; init; } = 20 * 1024 * 1024;
}
