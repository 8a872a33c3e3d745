namespace EmbeddingService.Training.Augmentation;

/// <summary>The four ColorJitter adjustments, numbered as torchvision's <c>fn_idx</c>.</summary>
public enum ColorJitterOp
{
    Brightness = 0,
    Contrast = 1,
    Saturation = 2,
    Hue = 3,
}
