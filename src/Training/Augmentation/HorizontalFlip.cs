using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Training.Augmentation;

/// <summary>torchvision <c>hflip</c>: mirrors the columns, in place.</summary>
public static class HorizontalFlip
{
    public static void Apply(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.Pixels.AsSpan(y * image.Stride, image.Stride);
            for (int left = 0, right = row.Length - 3; left < right; left += 3, right -= 3)
            {
                Swap(row, left, right);
                Swap(row, left + 1, right + 1);
                Swap(row, left + 2, right + 2);
            }
        }
    }

    private static void Swap(Span<byte> row, int a, int b) => (row[a], row[b]) = (row[b], row[a]);
}
