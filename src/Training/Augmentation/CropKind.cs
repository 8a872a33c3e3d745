namespace EmbeddingService.Training.Augmentation;

/// <summary>The official pipeline's three crop recipes: <c>global_transfo1</c>, <c>global_transfo2</c> and <c>local_transfo</c>.</summary>
public enum CropKind
{
    Global1,
    Global2,
    Local,
}
