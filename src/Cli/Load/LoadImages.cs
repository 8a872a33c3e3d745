using EmbeddingService.Engine.Imaging;
using SkiaSharp;

namespace EmbeddingService.Cli.Load;

/// <summary>The encoded images a load run sends: files from a folder, or seeded crops of them with mixed aspect ratios.</summary>
public static class LoadImages
{
    public static IReadOnlyList<byte[]> FromFolder(string folder) => Files(folder).Select(File.ReadAllBytes).ToArray();

    /// <summary>The paths of the folder's files with an image extension, in ordinal order; none, or no folder, is a bad --images argument.</summary>
    public static IReadOnlyList<string> Files(string folder)
    {
        if (!Directory.Exists(folder)) throw new ArgumentException($"--images: no folder {folder}");
        var files = Directory.GetFiles(folder).Where(ImageFiles.HasImageExtension).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new ArgumentException($"--images: {folder} holds no JPEG, PNG, WebP, BMP or GIF files");
        return files;
    }

    /// <summary><paramref name="count"/> JPEG crops of the sources, each with a random aspect ratio between 1:2 and 2:1.</summary>
    public static IReadOnlyList<byte[]> MixedAspect(IReadOnlyList<byte[]> sources, int count, int seed)
    {
        var random = new Random(seed);
        var bitmaps = sources.Select(SKBitmap.Decode).Where(b => b is not null && b.Width >= 64 && b.Height >= 64).ToArray();
        if (bitmaps.Length == 0) throw new ArgumentException("--mixed-aspect needs images of at least 64×64");
        try
        {
            var crops = new List<byte[]>(count);
            for (var i = 0; i < count; i++)
            {
                var source = bitmaps[random.Next(bitmaps.Length)];
                var aspect = Math.Pow(2, random.NextDouble() * 2 - 1); // width / height in [1/2, 2], log-uniform
                var (width, height) = aspect >= (double)source.Width / source.Height
                    ? (source.Width, Math.Max(1, (int)(source.Width / aspect)))
                    : (Math.Max(1, (int)(source.Height * aspect)), source.Height);
                var left = random.Next(source.Width - width + 1);
                var top = random.Next(source.Height - height + 1);
                using var crop = new SKBitmap();
                source.ExtractSubset(crop, SKRectI.Create(left, top, width, height));
                using var image = SKImage.FromBitmap(crop);
                using var encoded = image.Encode(SKEncodedImageFormat.Jpeg, 90);
                crops.Add(encoded.ToArray());
            }
            return crops;
        }
        finally
        {
            foreach (var bitmap in bitmaps) bitmap.Dispose();
        }
    }
}
