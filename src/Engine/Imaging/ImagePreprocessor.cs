using SkiaSharp;

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
    public PreprocessedImage Process(ReadOnlySpan<byte> encoded) => Process(encoded, decoded: null, clock: null);

    /// <summary>
    /// <see cref="Process(ReadOnlySpan{byte})"/>, calling <paramref name="decoded"/> with the upright width and height
    /// once the pixels are decoded and before any resizing (to charge a budget; it may throw to stop).
    /// </summary>
    public PreprocessedImage Process(ReadOnlySpan<byte> encoded, Action<int, int>? decoded) => Process(encoded, decoded, clock: null);

    public PreprocessedImage Process(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Transform(PixelRows.Of(image), clock: null);
    }

    /// <summary>The same, lapping <paramref name="clock"/> at the end of each stage.</summary>
    internal PreprocessedImage Process(ReadOnlySpan<byte> encoded, Action<int, int>? decoded, StageClock? clock)
    {
        using var stored = _decoder.DecodeStored(encoded);
        clock?.Lap(PreprocessStage.Decode);
        // An upright picture as stored, nearly every photo, is resampled straight from the decoder's buffer.
        using var turned = stored.Origin == SKEncodedOrigin.TopLeft ? null : UprightRgbCopier.Copy(stored.Rgba, stored.Origin);
        var upright = turned?.Rows ?? stored.Rgba;
        clock?.Lap(PreprocessStage.Upright);
        decoded?.Invoke(upright.Width, upright.Height);
        return Transform(upright, clock);
    }

    private PreprocessedImage Transform(PixelRows upright, StageClock? clock)
    {
        using var resized = PillowBicubicResampler.ResizeAndCrop(upright, _policy.Plan(upright.Width, upright.Height), clock);
        var tensor = ImageNetNormalization.ToChw(resized.Rows);
        clock?.Lap(PreprocessStage.Normalize);
        return tensor;
    }
}
