namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// Everything drawn for one crop, enough to render it again: the box resized to <see cref="Size"/> square, the flip,
/// the ColorJitter draw (null when not applied), grayscale, the blur sigma (null when not blurred) and solarize.
/// </summary>
public sealed record CropDraws(
    CropKind Kind,
    CropBox Box,
    int Size,
    bool Flip,
    ColorJitterDraw? Jitter,
    bool Grayscale,
    double? BlurSigma,
    bool Solarize);
