using System.Runtime.InteropServices;
using SkiaSharp;

namespace EmbeddingService.Engine.Imaging;

/// <summary>Turns a stored RGBA raster into an upright picture, applying the EXIF origin.</summary>
internal static class UprightRgbCopier
{
    /// <summary>The upright picture with 4 bytes a pixel (the fourth is the stored alpha, which nobody reads).</summary>
    public static RentedPixels Copy(PixelRows rgba, SKEncodedOrigin origin)
    {
        var (width, height) = UprightSize(rgba, origin);
        var upright = new RentedPixels(width, height, 4);
        var (start, stepPerColumn, stepPerRow) = Layout(origin, width, rgba.Width, rgba.Height);
        var pixels = MemoryMarshal.Cast<byte, uint>(upright.Bytes);
        for (var sy = 0; sy < rgba.Height; sy++)
        {
            var source = MemoryMarshal.Cast<byte, uint>(rgba.Row(sy));
            var destination = start + sy * stepPerRow;
            for (var sx = 0; sx < source.Length; sx++, destination += stepPerColumn)
                pixels[destination] = source[sx];
        }
        return upright;
    }

    /// <summary>The upright picture as packed RGB, alpha dropped.</summary>
    public static RgbImage CopyToRgb(PixelRows rgba, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft)
            return rgba.ToRgbImage();
        using var upright = Copy(rgba, origin);
        return upright.Rows.ToRgbImage();
    }

    private static (int Width, int Height) UprightSize(PixelRows stored, SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom
            ? (stored.Height, stored.Width)
            : (stored.Width, stored.Height);

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
