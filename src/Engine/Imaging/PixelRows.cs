using System.Runtime.Intrinsics;

namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// A view of 8-bit RGB pixels: <see cref="Width"/> x <see cref="Height"/>, each pixel <see cref="PixelBytes"/> bytes
/// (3: R, G, B; 4: R, G, B and a byte nobody reads), rows <see cref="Stride"/> bytes apart from <see cref="Offset"/>.
/// </summary>
internal readonly record struct PixelRows(byte[] Pixels, int Width, int Height, int PixelBytes, int Stride, int Offset = 0)
{
    public int RowBytes => Width * PixelBytes;

    public static PixelRows Of(RgbImage image) => new(image.Pixels, image.Width, image.Height, 3, image.Stride);

    public int RowStart(int y) => Offset + y * Stride;

    public Span<byte> Row(int y) => Pixels.AsSpan(RowStart(y), RowBytes);

    /// <summary>The pixels of the rectangle at (<paramref name="left"/>, <paramref name="top"/>), without copying.</summary>
    public PixelRows Window(int left, int top, int width, int height) =>
        this with { Width = width, Height = height, Offset = RowStart(top) + left * PixelBytes };

    public void CopyTo(PixelRows destination)
    {
        for (var y = 0; y < Height; y++)
            Row(y).CopyTo(destination.Row(y));
    }

    public RgbImage ToRgbImage()
    {
        var rgb = GC.AllocateUninitializedArray<byte>(checked(Width * Height * 3));
        for (var y = 0; y < Height; y++)
        {
            var row = Row(y);
            var packed = rgb.AsSpan(y * Width * 3, Width * 3);
            if (PixelBytes == 3)
            {
                row.CopyTo(packed);
                continue;
            }
            PackRgb(row, packed);
        }
        return new RgbImage(Width, Height, rgb);
    }

    /// <summary>4-byte pixels to 3-byte ones, four pixels a step.</summary>
    private static void PackRgb(ReadOnlySpan<byte> rgbx, Span<byte> rgb)
    {
        var dropFourthBytes = Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0xFF, 0xFF, 0xFF, 0xFF);
        var x = 0;
        // Each step stores 16 bytes of which the next step overwrites the last 4, so it stops 6 pixels before the end.
        for (; x + 6 <= rgb.Length / 3; x += 4)
            Vector128.Shuffle(Vector128.Create(rgbx.Slice(x * 4, 16)), dropFourthBytes).CopyTo(rgb[(x * 3)..]);
        for (; x < rgb.Length / 3; x++)
            rgbx.Slice(x * 4, 3).CopyTo(rgb.Slice(x * 3, 3));
    }
}
