using EmbeddingService.Engine.Imaging;
using SkiaSharp;

namespace EmbeddingService.Engine.Tests.Imaging;

/// <summary>
/// The preprocessing steps written the slow, obvious way (whole picture, one pixel and one channel at a time, as
/// Pillow's Resample.c and torchvision read): the truth the vectorised, cropped, pooled production path must equal bit for bit.
/// </summary>
internal static class ReferencePreprocessing
{
    /// <summary>Upright pixel (x, y) of a stored <paramref name="storedWidth"/>-wide picture, per EXIF origin (PIL's exif_transpose).</summary>
    public static (int X, int Y) StoredPixelOf(SKEncodedOrigin origin, int x, int y, int storedWidth, int storedHeight) => origin switch
    {
        SKEncodedOrigin.TopRight => (storedWidth - 1 - x, y),                        // 2: PIL's FLIP_LEFT_RIGHT
        SKEncodedOrigin.BottomRight => (storedWidth - 1 - x, storedHeight - 1 - y),  // 3: ROTATE_180
        SKEncodedOrigin.BottomLeft => (x, storedHeight - 1 - y),                     // 4: FLIP_TOP_BOTTOM
        SKEncodedOrigin.LeftTop => (y, x),                                           // 5: TRANSPOSE
        SKEncodedOrigin.RightTop => (y, storedHeight - 1 - x),                       // 6: ROTATE_270
        SKEncodedOrigin.RightBottom => (storedWidth - 1 - y, storedHeight - 1 - x),  // 7: TRANSVERSE
        SKEncodedOrigin.LeftBottom => (storedWidth - 1 - y, x),                      // 8: ROTATE_90
        _ => (x, y),
    };

    public static RgbImage Upright(byte[] rgba, int storedWidth, int storedHeight, SKEncodedOrigin origin)
    {
        var turned = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var (width, height) = turned ? (storedHeight, storedWidth) : (storedWidth, storedHeight);
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            var (sx, sy) = StoredPixelOf(origin, x, y, storedWidth, storedHeight);
            for (var c = 0; c < 3; c++)
                rgb[(y * width + x) * 3 + c] = rgba[(sy * storedWidth + sx) * 4 + c];
        }
        return new RgbImage(width, height, rgb);
    }

    /// <summary>The whole resized picture (horizontal pass into 8 bits, then vertical), then the crop.</summary>
    public static RgbImage ResizeAndCrop(RgbImage source, ResizePlan plan)
    {
        var (pixels, width, height) = (source.Pixels, source.Width, source.Height);
        if (plan.ResizedWidth != width)
            (pixels, width) = (Horizontal(pixels, width, height, plan.ResizedWidth), plan.ResizedWidth);
        if (plan.ResizedHeight != height)
            (pixels, height) = (Vertical(pixels, width, height, plan.ResizedHeight), plan.ResizedHeight);
        var cropped = new byte[plan.CropWidth * plan.CropHeight * 3];
        for (var y = 0; y < plan.CropHeight; y++)
        for (var i = 0; i < plan.CropWidth * 3; i++)
            cropped[y * plan.CropWidth * 3 + i] = pixels[((plan.CropTop + y) * width + plan.CropLeft) * 3 + i];
        return new RgbImage(plan.CropWidth, plan.CropHeight, cropped);
    }

    public static float[] Normalize(RgbImage image)
    {
        var plane = image.Width * image.Height;
        var chw = new float[3 * plane];
        for (var c = 0; c < 3; c++)
        for (var i = 0; i < plane; i++)
            chw[c * plane + i] = (image.Pixels[i * 3 + c] / 255f - ImageNetNormalization.Mean[c]) / ImageNetNormalization.Std[c];
        return chw;
    }

    private static byte[] Horizontal(byte[] pixels, int width, int height, int outWidth)
    {
        var coefficients = BicubicAxisCoefficients.Compute(width, outWidth, 0, outWidth);
        var output = new byte[outWidth * height * 3];
        for (var y = 0; y < height; y++)
        for (var x = 0; x < outWidth; x++)
        {
            var weights = coefficients.WeightsOf(x);
            for (var c = 0; c < 3; c++)
            {
                var sum = 1 << (BicubicAxisCoefficients.PrecisionBits - 1);
                for (var k = 0; k < weights.Length; k++)
                    sum += pixels[(y * width + coefficients.FirstInput[x] + k) * 3 + c] * weights[k];
                output[(y * outWidth + x) * 3 + c] = Clip8(sum);
            }
        }
        return output;
    }

    private static byte[] Vertical(byte[] pixels, int width, int height, int outHeight)
    {
        var coefficients = BicubicAxisCoefficients.Compute(height, outHeight, 0, outHeight);
        var output = new byte[width * outHeight * 3];
        for (var y = 0; y < outHeight; y++)
        for (var i = 0; i < width * 3; i++)
        {
            var weights = coefficients.WeightsOf(y);
            var sum = 1 << (BicubicAxisCoefficients.PrecisionBits - 1);
            for (var k = 0; k < weights.Length; k++)
                sum += pixels[(coefficients.FirstInput[y] + k) * width * 3 + i] * weights[k];
            output[y * width * 3 + i] = Clip8(sum);
        }
        return output;
    }

    /// <summary>Resample.c's clip8.</summary>
    private static byte Clip8(int sum) =>
        sum >= 1 << BicubicAxisCoefficients.PrecisionBits << 8 ? (byte)255 : sum <= 0 ? (byte)0 : (byte)(sum >> BicubicAxisCoefficients.PrecisionBits);
}
