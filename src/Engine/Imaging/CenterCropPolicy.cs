namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// torchvision <c>Resize(ResizeShorterTo, BICUBIC)</c> + <c>CenterCrop(CropSize)</c>: the shorter side becomes
/// ResizeShorterTo, the longer <c>int(ResizeShorterTo * long / short)</c>, then a centred square crop.
/// </summary>
public sealed class CenterCropPolicy : IResizePolicy
{
    public CenterCropPolicy(int resizeShorterTo = 256, int cropSize = 224)
    {
        if (resizeShorterTo <= 0)
            throw new ArgumentException($"ResizeShorterTo must be positive, got {resizeShorterTo}", nameof(resizeShorterTo));
        if (cropSize <= 0)
            throw new ArgumentException($"CropSize must be positive, got {cropSize}", nameof(cropSize));
        if (cropSize > resizeShorterTo)
            throw new ArgumentException($"CropSize ({cropSize}) must not exceed ResizeShorterTo ({resizeShorterTo})", nameof(cropSize));
        ResizeShorterTo = resizeShorterTo;
        CropSize = cropSize;
    }

    public int ResizeShorterTo { get; }

    public int CropSize { get; }

    public ResizePlan Plan(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var (shorter, longer) = width <= height ? (width, height) : (height, width);
        // Python's int(size * long / short): float division, then truncation.
        var exactLonger = (double)ResizeShorterTo * longer / shorter;
        if (exactLonger > int.MaxValue)
            throw new ArgumentException($"a {width}x{height} picture is too elongated to scale its shorter side to {ResizeShorterTo}");
        var resizedLonger = (int)exactLonger;
        var (resizedWidth, resizedHeight) = width <= height ? (ResizeShorterTo, resizedLonger) : (resizedLonger, ResizeShorterTo);
        return new ResizePlan(resizedWidth, resizedHeight,
            CenteredCrop.Offset(resizedWidth, CropSize), CenteredCrop.Offset(resizedHeight, CropSize), CropSize, CropSize);
    }
}
