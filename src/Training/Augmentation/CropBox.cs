namespace EmbeddingService.Training.Augmentation;

/// <summary>A crop window in pixels of the upright image, in torchvision's (i, j, h, w) order.</summary>
public readonly record struct CropBox(int Top, int Left, int Height, int Width);
