namespace EmbeddingService.Engine.Imaging;

/// <summary>An encoded image that cannot or must not be decoded.</summary>
public sealed class ImageDecodeException : Exception
{
    public ImageDecodeException(ImageDecodeError code, string message)
        : base(message)
    {
        Code = code;
    }

    public ImageDecodeError Code { get; }
}
