namespace EmbeddingService.Training.Augmentation;

/// <summary>
/// torchvision <c>RandomResizedCrop.get_params</c> with ratio (3/4, 4/3): up to 10 draws of an area fraction and a
/// log-uniform aspect w/h, the first box that fits is placed uniformly (top drawn first), else a centred fallback.
/// </summary>
public static class RandomResizedCropParams
{
    public const int Attempts = 10;
    public const double MinRatio = 3.0 / 4.0;
    public const double MaxRatio = 4.0 / 3.0;

    // torch takes the log of the ratio bounds in float32: [-0.28768208, 0.28768212].
    public static float LogMinRatio { get; } = MathF.Log((float)MinRatio);

    public static float LogMaxRatio { get; } = MathF.Log((float)MaxRatio);

    public static CropBox Draw(int width, int height, (double Low, double High) scale, IAugmentationRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(random);
        double area = width * height;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var targetArea = area * random.Uniform(scale.Low, scale.High);
            // torch exponentiates the float32 draw in float32; Python then works in double.
            double aspectRatio = MathF.Exp((float)random.Uniform(LogMinRatio, LogMaxRatio));
            var w = (int)Math.Round(Math.Sqrt(targetArea * aspectRatio), MidpointRounding.ToEven);
            var h = (int)Math.Round(Math.Sqrt(targetArea / aspectRatio), MidpointRounding.ToEven);
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                var top = random.Integer(0, height - h + 1);
                var left = random.Integer(0, width - w + 1);
                return new CropBox(top, left, h, w);
            }
        }
        return Fallback(width, height);
    }

    /// <summary>The centre crop get_params returns when every attempt is rejected: the whole image clamped to the ratio range.</summary>
    public static CropBox Fallback(int width, int height)
    {
        var inputRatio = (double)width / height;
        var (w, h) = inputRatio < MinRatio ? (width, (int)Math.Round(width / MinRatio, MidpointRounding.ToEven))
            : inputRatio > MaxRatio ? ((int)Math.Round(height * MaxRatio, MidpointRounding.ToEven), height)
            : (width, height);
        return new CropBox((height - h) / 2, (width - w) / 2, h, w);
    }
}
