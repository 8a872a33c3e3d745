using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Training.Tests.Data;

/// <summary>A temporary folder of tiny generated images, deleted on dispose.</summary>
internal sealed class ImageFolder : IDisposable
{
    public ImageFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "training-data-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>A grayscale PNG of one level everywhere: every crop of it, unjittered, has that level, which tells the image apart.</summary>
    public string Constant(string relativePath, byte level, int width = 24, int height = 20) =>
        Write(relativePath, GrayscalePng.Encode(width, height, Enumerable.Repeat(level, width * height).ToArray()));

    /// <summary>A grayscale PNG with a pattern that depends on <paramref name="seed"/>.</summary>
    public string Pattern(string relativePath, int seed, int width = 32, int height = 28)
    {
        var pixels = new byte[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                pixels[y * width + x] = (byte)(seed * 37 + x * (seed % 5 + 3) + y * y * 7);
        return Write(relativePath, GrayscalePng.Encode(width, height, pixels));
    }

    /// <summary>Starts like a PNG, then garbage: passes the scan, fails at decode.</summary>
    public string Corrupt(string relativePath) =>
        Write(relativePath, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. "not really a PNG"u8]);

    public string Text(string relativePath, string text = "hello") => Write(relativePath, System.Text.Encoding.UTF8.GetBytes(text));

    public string Write(string relativePath, byte[] bytes)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
