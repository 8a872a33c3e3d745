namespace EmbeddingService.Api.Embedding;

/// <summary>The stable error codes of the embedding API (REST problem+json "code", gRPC in-band errors).</summary>
public static class ProblemCodes
{
    public const string InvalidArgument = "invalid_argument";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string ImageDecodeFailed = "image_decode_failed";
    public const string ImageTooLarge = "image_too_large";
    public const string PayloadTooLarge = "payload_too_large";
    public const string TooManyImages = "too_many_images";
    public const string Overloaded = "overloaded";
    public const string DeadlineExceeded = "deadline_exceeded";
    public const string NotReady = "not_ready";
    /// <summary>An input of a failed multi-image request that was withdrawn or never submitted.</summary>
    public const string NotComputed = "not_computed";
}
