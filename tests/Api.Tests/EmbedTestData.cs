using SkiaSharp;

namespace EmbeddingService.Api.Tests;

/// <summary>Fixture images and the fast parity model the embedding tests serve.</summary>
internal static class EmbedTestData
{
    /// <summary>The tiny official-parity model (dim 96, 3 blocks): fast enough for hundreds of images per test.</summary>
    public static readonly string[] TinyModel =
        [$"--Model:Weights={Path.Combine(AppContext.BaseDirectory, "fixtures", "dinov2-parity", "tiny", "weights.pth")}", "--Model:Architecture="];

    /// <summary>Random ViT-S at a high resolution: slow enough (hundreds of ms per image) to hold the executor busy.</summary>
    public static readonly string[] SlowModel = ["--Serving:Resolution=518", "--Serving:MaxBatchImages=1"];

    public static byte[] Good(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "images", "good", name));

    public static byte[] Bad(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "images", "bad", name));

    public static IEnumerable<string> BadNames() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "images", "bad")).Select(Path.GetFileName).Order()!;

    public static IEnumerable<string> GoodNames() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "images", "good")).Select(Path.GetFileName).Order()!;

    /// <summary>A JPEG of <paramref name="width"/>×<paramref name="height"/> noise at quality 95: the bytes of a large photo, which noise does not compress.</summary>
    public static byte[] NoisyJpeg(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = new byte[width * height * 4];
        new Random(1).NextBytes(pixels);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95);
        return data.ToArray();
    }
}
