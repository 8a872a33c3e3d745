namespace EmbeddingService.Engine.Imaging;

/// <summary>Decides how an upright picture of a given size is resized and cropped before normalisation.</summary>
public interface IResizePolicy
{
    ResizePlan Plan(int width, int height);
}
