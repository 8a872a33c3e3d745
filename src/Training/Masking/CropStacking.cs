using static TorchSharp.torch;

namespace EmbeddingService.Training.Masking;

/// <summary>Stacks per-image crops into one batch, crop-major, as the official collate does.</summary>
public static class CropStacking
{
    /// <summary>
    /// <paramref name="cropsPerImage"/>[s][i] is crop i [C, H, W] of image s; the result is [crops·images, C, H, W]
    /// with row i·images + s holding it, so each crop index forms a contiguous block of the batch.
    /// </summary>
    public static Tensor StackCropMajor(IReadOnlyList<IReadOnlyList<Tensor>> cropsPerImage)
    {
        if (cropsPerImage.Count == 0) throw new ArgumentException("no images", nameof(cropsPerImage));
        var crops = cropsPerImage[0].Count;
        if (crops == 0 || cropsPerImage.Any(c => c.Count != crops))
            throw new ArgumentException($"every image needs the same non-zero number of crops (the first has {crops})", nameof(cropsPerImage));
        var rows = new Tensor[crops * cropsPerImage.Count];
        for (var i = 0; i < crops; i++)
            for (var s = 0; s < cropsPerImage.Count; s++)
                rows[i * cropsPerImage.Count + s] = cropsPerImage[s][i];
        return stack(rows);
    }
}
