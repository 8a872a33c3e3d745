namespace EmbeddingService.Engine.Imaging;

/// <summary>A normalised float32 image tensor in CHW order (RGB planes of Height x Width).</summary>
public sealed class PreprocessedImage
{
    public PreprocessedImage(int height, int width, float[] chw)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentNullException.ThrowIfNull(chw);
        if (chw.LongLength != 3L * height * width)
            throw new ArgumentException($"a 3x{height}x{width} tensor needs {3L * height * width} values, got {chw.LongLength}", nameof(chw));
        Height = height;
        Width = width;
        Chw = chw;
    }

    public int Height { get; }

    public int Width { get; }

    public float[] Chw { get; }
}
