namespace EmbeddingService.Engine.Imaging;

/// <summary>Encoded bytes to the model's input tensor: decode, resize and crop per policy, normalise.</summary>
public sealed class ImagePreprocessor
{
    private readonly ImageDecoder _decoder;
    private readonly IResizePolicy _policy;

    public ImagePreprocessor(IResizePolicy policy, ImageDecoder? decoder = null)
    {
        _policy = policy ?? throw new ArgumentNullException(nameof(policy));
        _decoder = decoder ?? new ImageDecoder();
    }

    /// <exception cref="ImageDecodeException">The bytes are not an acceptable image.</exception>
    public PreprocessedImage Process(ReadOnlySpan<byte> encoded) => Process(encoded, clock: null);

    public PreprocessedImage Process(RgbImage image) => Process(image, clock: null);

    /// <summary><see cref="Process(ReadOnlySpan{byte})"/>, lapping <paramref name="clock"/> at the end of each stage.</summary>
    internal PreprocessedImage Process(ReadOnlySpan<byte> encoded, StageClock? clock) => Process(_decoder.Decode(encoded, clock), clock);

    private PreprocessedImage Process(RgbImage image, StageClock? clock)
    {
        ArgumentNullException.ThrowIfNull(image);
        var resized = PillowBicubicResampler.ResizeAndCrop(image, _policy.Plan(image.Width, image.Height), clock);
        var tensor = ImageNetNormalization.ToChw(resized);
        clock?.Lap(PreprocessStage.Normalize);
        return tensor;
    }
}
