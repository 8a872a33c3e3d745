using SkiaSharp;

namespace EmbeddingService.Engine.Imaging;

/// <summary>A decoded picture as stored (RGBA, before its EXIF origin is applied); disposing gives its buffer back.</summary>
internal sealed class StoredRaster(RentedPixels rgba, SKEncodedOrigin origin) : IDisposable
{
    public PixelRows Rgba => rgba.Rows;

    public SKEncodedOrigin Origin => origin;

    public void Dispose() => rgba.Dispose();
}
