namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// ColorJitter's arguments: brightness, contrast and saturation factors are drawn from [1 - x, 1 + x], the hue shift
/// from [-hue, hue]. The defaults are DINOv2's (0.4, 0.4, 0.2, 0.1).
/// </summary>
public sealed record ColorJitterStrength(double Brightness = 0.4, double Contrast = 0.4, double Saturation = 0.2, double Hue = 0.1);
