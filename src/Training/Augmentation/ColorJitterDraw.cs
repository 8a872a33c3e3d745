namespace EmbeddingService.Training.Augmentation;

/// <summary>One ColorJitter draw: the order the four adjustments run in and their factors (hue as a shift in [-0.5, 0.5]).</summary>
public sealed record ColorJitterDraw(IReadOnlyList<ColorJitterOp> Order, double Brightness, double Contrast, double Saturation, double Hue);
