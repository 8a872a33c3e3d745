using SkiaSharp;

namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// Decodes JPEG, PNG, WebP, BMP and GIF (first frame) into upright RGB the way Pillow's
/// <c>exif_transpose</c> + <c>convert('RGB')</c> does: alpha dropped unpremultiplied, no colour management.
/// </summary>
public sealed class ImageDecoder
{
    private const int DecodedBytesPerPixel = 4;

    private readonly bool _turboJpeg;

    public ImageDecoder(ImageLimits? limits = null) : this(limits, turboJpeg: true)
    {
    }

    /// <param name="turboJpeg">false: every JPEG through Skia, whatever the system has (for comparing the two).</param>
    internal ImageDecoder(ImageLimits? limits, bool turboJpeg)
    {
        _turboJpeg = turboJpeg;
        Limits = limits ?? new ImageLimits();
        if (Limits.MaxBytes <= 0)
            throw new ArgumentException($"MaxBytes must be positive, got {Limits.MaxBytes}", nameof(limits));
        if (Limits.MaxPixels <= 0 || Limits.MaxPixels > Array.MaxLength / DecodedBytesPerPixel)
            throw new ArgumentException($"MaxPixels must be in 1..{Array.MaxLength / DecodedBytesPerPixel}, got {Limits.MaxPixels}", nameof(limits));
    }

    public ImageLimits Limits { get; }

    public RgbImage Decode(ReadOnlySpan<byte> encoded)
    {
        using var stored = DecodeStored(encoded);
        return UprightRgbCopier.CopyToRgb(stored.Rgba, stored.Origin);
    }

    /// <summary>The pixels as stored, with the EXIF origin Pillow would apply to them.</summary>
    internal StoredRaster DecodeStored(ReadOnlySpan<byte> encoded)
    {
        if (encoded.IsEmpty)
            throw new ImageDecodeException(ImageDecodeError.Empty, "the image body is empty");
        if (encoded.Length > Limits.MaxBytes)
            throw new ImageDecodeException(ImageDecodeError.TooManyBytes, $"the image is {encoded.Length} bytes, over the limit of {Limits.MaxBytes}");

        var format = ImageSignature.Identify(encoded)
            ?? throw new ImageDecodeException(ImageDecodeError.UnknownFormat, "the data is not a JPEG, PNG, WebP, BMP or GIF image");
        if (format == SKEncodedImageFormat.Bmp && BmpHeader.DeclaredPixels(encoded) is { } declared)
            CheckPixelCount(declared, "the BMP header declares");
        var pngOrientation = format == SKEncodedImageFormat.Png ? PngMetadata.ReadOrientation(encoded) : null;

        unsafe
        {
            fixed (byte* bytes = encoded)
            {
                // Wraps the caller's bytes without copying; everything Skia does with them ends inside this block.
                using var data = SKData.Create((IntPtr)bytes, encoded.Length);
                using var codec = SKCodec.Create(new SKMemoryStream(data), out var result)
                    ?? throw CreateFailure(result, encoded);
                if (codec.EncodedFormat != format)
                    throw new ImageDecodeException(ImageDecodeError.Corrupt, $"the data starts like {NameOf(format)} but decodes as {NameOf(codec.EncodedFormat)}");
                var rgba = DecodeFirstFrame(codec, encoded);
                if (format == SKEncodedImageFormat.Gif)
                    FillTransparent(rgba.Bytes, GifBackdrop.Find(encoded));
                // Pillow's origin for a PNG comes from chunks Skia does not read; for the other formats Skia's EXIF origin is Pillow's.
                return new StoredRaster(rgba, format == SKEncodedImageFormat.Png ? OriginOf(pngOrientation) : codec.EncodedOrigin);
            }
        }
    }

    private RentedPixels DecodeFirstFrame(SKCodec codec, ReadOnlySpan<byte> encoded)
    {
        var stored = codec.Info;
        if (stored.Width <= 0 || stored.Height <= 0)
            throw new ImageDecodeException(ImageDecodeError.ZeroSize, $"the image declares a size of {stored.Width}x{stored.Height}");
        var pixelCount = (long)stored.Width * stored.Height;
        CheckPixelCount(pixelCount, $"the image declares {stored.Width}x{stored.Height} =");

        // A null colour space asks Skia for the stored values, without applying any embedded ICC profile.
        var target = new SKImageInfo(stored.Width, stored.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul, colorspace: null);
        var rgba = new RentedPixels(stored.Width, stored.Height, DecodedBytesPerPixel);
        if (_turboJpeg && codec.EncodedFormat == SKEncodedImageFormat.Jpeg && TurboJpeg.TryDecode(encoded, stored.Width, stored.Height, rgba.Bytes))
            return rgba;
        SKCodecResult result;
        unsafe
        {
            fixed (byte* pixels = rgba.Bytes)
                result = codec.GetPixels(target, (IntPtr)pixels, rgba.Rows.Stride, new SKCodecOptions(frameIndex: 0));
        }
        if (result == SKCodecResult.Success)
            return rgba;
        rgba.Dispose();
        throw PixelFailure(result, codec.EncodedFormat);
    }

    private void CheckPixelCount(long pixelCount, string declaredBy)
    {
        if (pixelCount > Limits.MaxPixels)
            throw new ImageDecodeException(ImageDecodeError.TooManyPixels, $"{declaredBy} {pixelCount} pixels, over the limit of {Limits.MaxPixels}");
    }

    private static void FillTransparent(Span<byte> rgba, (byte R, byte G, byte B)? backdrop)
    {
        if (backdrop is not var (r, g, b))
            return;
        for (var i = 0; i < rgba.Length; i += DecodedBytesPerPixel)
        {
            if (rgba[i + 3] == 0)
                (rgba[i], rgba[i + 1], rgba[i + 2]) = (r, g, b);
        }
    }

    /// <summary>EXIF orientations 2..8 are the transposes; anything else (1, absent, out of range) leaves the image as stored.</summary>
    private static SKEncodedOrigin OriginOf(int? orientation) =>
        orientation is >= 2 and <= 8 ? (SKEncodedOrigin)orientation.Value : SKEncodedOrigin.TopLeft;

    private static ImageDecodeException CreateFailure(SKCodecResult result, ReadOnlySpan<byte> encoded) => result switch
    {
        // The signature was recognised, so Skia could not tell the format only for lack of bytes.
        SKCodecResult.Unimplemented => new(ImageDecodeError.Truncated, "the image ends before its header is complete"),
        SKCodecResult.IncompleteInput => new(ImageDecodeError.Truncated, "the image ends before its header is complete"),
        SKCodecResult.InvalidInput when ZeroSizeHeader.IsDeclared(encoded) => new(ImageDecodeError.ZeroSize, "the image declares a zero width or height"),
        _ => new(ImageDecodeError.Corrupt, $"the image header cannot be read ({result})"),
    };

    private static ImageDecodeException PixelFailure(SKCodecResult result, SKEncodedImageFormat format) => result switch
    {
        SKCodecResult.IncompleteInput => new(ImageDecodeError.Truncated, $"the {NameOf(format)} data ends before the last pixel row"),
        _ => new(ImageDecodeError.Corrupt, $"the {NameOf(format)} pixel data cannot be decoded ({result})"),
    };

    /// <summary>The format as people write it: JPEG, PNG, WEBP, GIF, BMP.</summary>
    private static string NameOf(SKEncodedImageFormat format) => format.ToString().ToUpperInvariant();
}
