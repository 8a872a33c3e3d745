namespace EmbeddingService.Engine.Imaging;

/// <summary>Pixels in a buffer from <see cref="PooledBytes"/>, packed row after row; disposing gives the buffer back.</summary>
internal sealed class RentedPixels : IDisposable
{
    private byte[]? _buffer;

    public RentedPixels(int width, int height, int pixelBytes)
    {
        _buffer = PooledBytes.Rent(checked(width * height * pixelBytes));
        Rows = new PixelRows(_buffer, width, height, pixelBytes, width * pixelBytes);
    }

    public PixelRows Rows { get; }

    /// <summary>All the pixel bytes, row after row.</summary>
    public Span<byte> Bytes => Rows.Pixels.AsSpan(0, Rows.Height * Rows.Stride);

    public void Dispose()
    {
        if (_buffer is { } buffer)
            PooledBytes.Return(buffer);
        _buffer = null;
    }
}
