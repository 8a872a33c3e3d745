namespace EmbeddingService.Engine.Imaging;

/// <summary>torchvision's CenterCrop offset: round((size - crop) / 2) with round-half-to-even, as Python's round.</summary>
internal static class CenteredCrop
{
    public static int Offset(int size, int crop) => (int)Math.Round((size - crop) / 2.0, MidpointRounding.ToEven);
}
