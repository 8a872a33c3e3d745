using System.Text.Json;

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

    /// <summary>The reason as clients read it (too_many_pixels, truncated, …), then the message.</summary>
    public string Describe() => $"{JsonNamingPolicy.SnakeCaseLower.ConvertName(Code.ToString())}: {Message}";
}
