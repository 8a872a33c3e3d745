namespace EmbeddingService.Engine.Imaging;

/// <summary>Resize a picture to <c>ResizedWidth x ResizedHeight</c>, then keep the crop window at (CropLeft, CropTop).</summary>
public readonly record struct ResizePlan
{
    public ResizePlan(int resizedWidth, int resizedHeight, int cropLeft, int cropTop, int cropWidth, int cropHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(resizedWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(resizedHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cropWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cropHeight);
        if (cropLeft < 0 || cropTop < 0 || cropLeft + cropWidth > resizedWidth || cropTop + cropHeight > resizedHeight)
            throw new ArgumentException(
                $"crop window {cropWidth}x{cropHeight} at ({cropLeft}, {cropTop}) does not lie inside the resized {resizedWidth}x{resizedHeight} picture");
        ResizedWidth = resizedWidth;
        ResizedHeight = resizedHeight;
        CropLeft = cropLeft;
        CropTop = cropTop;
        CropWidth = cropWidth;
        CropHeight = cropHeight;
    }

    public int ResizedWidth { get; }

    public int ResizedHeight { get; }

    public int CropLeft { get; }

    public int CropTop { get; }

    public int CropWidth { get; }

    public int CropHeight { get; }

    public static ResizePlan WithoutCrop(int width, int height) => new(width, height, 0, 0, width, height);
}
