namespace EmbeddingService.Engine.Imaging;

/// <summary>Why an encoded image was rejected; the values are stable and safe to expose to clients.</summary>
public enum ImageDecodeError
{
    Empty,
    TooManyBytes,
    UnknownFormat,
    Truncated,
    Corrupt,
    ZeroSize,
    TooManyPixels,
}
