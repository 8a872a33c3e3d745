using SkiaSharp;

namespace EmbeddingService.Engine.Imaging;

/// <summary>Turns a stored RGBA8888 raster into an upright RGB image, applying the EXIF origin and dropping alpha.</summary>
internal static class UprightRgbCopier
{
    public static RgbImage Copy(ReadOnlySpan<byte> rgba, int rowBytes, int storedWidth, int storedHeight, SKEncodedOrigin origin)
    {
        var swapsAxes = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop
            or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var width = swapsAxes ? storedHeight : storedWidth;
        var height = swapsAxes ? storedWidth : storedHeight;
        var (start, stepPerColumn, stepPerRow) = Layout(origin, width, storedWidth, storedHeight);

        var pixels = GC.AllocateUninitializedArray<byte>(checked(width * height * 3));
        for (var sy = 0; sy < storedHeight; sy++)
        {
            var source = rgba.Slice(sy * rowBytes, storedWidth * 4);
            var destination = start + sy * stepPerRow;
            for (var sx = 0; sx < storedWidth; sx++, destination += stepPerColumn)
            {
                var d = destination * 3;
                var s = sx * 4;
                pixels[d] = source[s];
                pixels[d + 1] = source[s + 1];
                pixels[d + 2] = source[s + 2];
            }
        }
        return new RgbImage(width, height, pixels);
    }

    /// <summary>Upright pixel index of stored pixel (sx, sy) = start + sx * stepPerColumn + sy * stepPerRow.</summary>
    private static (int Start, int StepPerColumn, int StepPerRow) Layout(SKEncodedOrigin origin, int width, int storedWidth, int storedHeight)
    {
        var lastColumn = storedWidth - 1;
        var lastRow = storedHeight - 1;
        return origin switch
        {
            SKEncodedOrigin.TopRight => (lastColumn, -1, width),
            SKEncodedOrigin.BottomRight => (lastRow * width + lastColumn, -1, -width),
            SKEncodedOrigin.BottomLeft => (lastRow * width, 1, -width),
            SKEncodedOrigin.LeftTop => (0, width, 1),
            SKEncodedOrigin.RightTop => (lastRow, width, -1),
            SKEncodedOrigin.RightBottom => (lastColumn * width + lastRow, -width, -1),
            SKEncodedOrigin.LeftBottom => (lastColumn * width, -width, 1),
            _ => (0, 1, width),
        };
    }
}
