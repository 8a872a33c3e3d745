using System.Runtime.InteropServices;

namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// JPEG pixels through the system's TurboJPEG (<c>libturbojpeg.so.0</c>, package libturbojpeg0), whose SIMD decodes
/// a photo in half Skia's time: SkiaSharp builds the same libjpeg-turbo (2.1.5) without SIMD (jsimd_none.c).
/// libjpeg-turbo's integer SIMD (ISLOW IDCT, fancy upsampling, YCbCr to RGB) gives the C code's exact output, and the
/// tests compare the two decoders pixel for pixel. Only a clean decode counts: any error or warning, a colour space
/// Skia converts its own way (CMYK, YCCK, RGB) or no library leaves the picture to Skia, whose errors are the decoder's.
/// </summary>
internal static unsafe class TurboJpeg
{
    private const string Library = "libturbojpeg.so.0";
    private const int PixelFormatRgba = 7;
    private const int ColorSpaceYCbCr = 1;
    private const int ColorSpaceGray = 2;
    private const int AccurateDct = 4096;
    private const int StopOnWarning = 8192;
    // Refuses progressive files of more than 500 scans, which cost minutes (Skia still decodes them, as before).
    private const int LimitScans = 32768;

    public static bool IsAvailable { get; } = NativeLibrary.TryLoad(Library, typeof(TurboJpeg).Assembly, null, out _);

    /// <summary>Decodes <paramref name="jpeg"/> into <paramref name="rgba"/> (width·4 bytes a row); false, with <paramref name="rgba"/> undefined, when Skia must.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> jpeg, int width, int height, Span<byte> rgba)
    {
        if (!IsAvailable || rgba.Length < (long)width * height * 4)
            return false;
        var handle = tjInitDecompress();
        if (handle == IntPtr.Zero)
            return false;
        try
        {
            fixed (byte* source = jpeg)
            fixed (byte* destination = rgba)
            {
                if (tjDecompressHeader3(handle, source, (nuint)jpeg.Length, out var storedWidth, out var storedHeight, out _, out var colorSpace) != 0
                    || (storedWidth, storedHeight) != (width, height) || colorSpace is not (ColorSpaceYCbCr or ColorSpaceGray))
                    return false;
                return tjDecompress2(handle, source, (nuint)jpeg.Length, destination, width, width * 4, height, PixelFormatRgba,
                    AccurateDct | StopOnWarning | LimitScans) == 0;
            }
        }
        finally
        {
            tjDestroy(handle);
        }
    }

    [DllImport(Library)] private static extern IntPtr tjInitDecompress();
    [DllImport(Library)] private static extern int tjDestroy(IntPtr handle);
    [DllImport(Library)] private static extern int tjDecompressHeader3(IntPtr handle, byte* jpeg, nuint size, out int width, out int height, out int subsampling, out int colorSpace);
    [DllImport(Library)] private static extern int tjDecompress2(IntPtr handle, byte* jpeg, nuint size, byte* rgba, int width, int pitch, int height, int pixelFormat, int flags);
}
