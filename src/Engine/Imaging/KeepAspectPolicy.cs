namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// Keeps the aspect ratio: scales so that the shorter side reaches ShorterSide unless the longer side would pass
/// MaxLongerSide, then trims each side down to a multiple of PatchSize with a centred crop.
/// </summary>
public sealed class KeepAspectPolicy : IResizePolicy
{
    public KeepAspectPolicy(int shorterSide = 224, int maxLongerSide = 448, int patchSize = 14)
    {
        if (patchSize <= 0)
            throw new ArgumentException($"PatchSize must be positive, got {patchSize}", nameof(patchSize));
        if (shorterSide < patchSize)
            throw new ArgumentException($"ShorterSide ({shorterSide}) must be at least PatchSize ({patchSize})", nameof(shorterSide));
        if (maxLongerSide < shorterSide)
            throw new ArgumentException($"MaxLongerSide ({maxLongerSide}) must be at least ShorterSide ({shorterSide})", nameof(maxLongerSide));
        ShorterSide = shorterSide;
        MaxLongerSide = maxLongerSide;
        PatchSize = patchSize;
    }

    public int ShorterSide { get; }

    public int MaxLongerSide { get; }

    public int PatchSize { get; }

    public ResizePlan Plan(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var (shorter, longer) = width <= height ? (width, height) : (height, width);
        // The limiting side gets its target exactly; scaling by a rounded factor could land one pixel short.
        var (resizedShorter, resizedLonger) = (double)ShorterSide * longer / shorter <= MaxLongerSide
            ? (ShorterSide, (int)((double)ShorterSide * longer / shorter))
            : ((int)((double)MaxLongerSide * shorter / longer), MaxLongerSide);
        resizedShorter = Math.Max(resizedShorter, PatchSize);
        resizedLonger = Math.Max(resizedLonger, PatchSize);
        var (resizedWidth, resizedHeight) = width <= height ? (resizedShorter, resizedLonger) : (resizedLonger, resizedShorter);
        var cropWidth = resizedWidth / PatchSize * PatchSize;
        var cropHeight = resizedHeight / PatchSize * PatchSize;
        return new ResizePlan(resizedWidth, resizedHeight,
            CenteredCrop.Offset(resizedWidth, cropWidth), CenteredCrop.Offset(resizedHeight, cropHeight), cropWidth, cropHeight);
    }
}
