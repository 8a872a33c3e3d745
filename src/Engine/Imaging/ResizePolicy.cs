namespace EmbeddingService.Engine.Imaging;

/// <summary>How an image is brought to the model's input size (configured as center-crop or keep-aspect).</summary>
public enum ResizePolicy
{
    /// <summary>Shorter side resized, then the centre cropped square: the paper's evaluation transform.</summary>
    CenterCrop,
    /// <summary>Shorter side resized, the aspect ratio kept, both sides floored to multiples of the patch size.</summary>
    KeepAspect,
}
