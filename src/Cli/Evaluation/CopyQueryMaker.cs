using System.Text;
using EmbeddingService.Engine.Imaging;
using SkiaSharp;

namespace EmbeddingService.Cli.Evaluation;

/// <summary>
/// Makes the queries of one original: <paramref name="queriesPerImage"/> copies, cycling through the transforms in an order
/// shuffled per image. Each copy draws its parameters from a generator seeded by (seed, original id, query number) alone,
/// so a query does not change when other images join or leave the folder. Originals longer than
/// <see cref="MaxSide"/> pixels are scaled down first (the service sees 224 px anyway, and request bodies stay small);
/// copies are sent as JPEG at quality <see cref="EncodeQuality"/>.
/// </summary>
public sealed class CopyQueryMaker(IReadOnlyList<string> transforms, int queriesPerImage, int seed)
{
    public const int MaxSide = 1024;
    public const int EncodeQuality = 95;

    public IEnumerable<CopyQuery> Make(string originalId, RgbImage original)
    {
        var order = transforms.ToArray();
        new Random(StableSeed(originalId, -1)).Shuffle(order);
        using var source = ToBitmap(original);
        for (var q = 0; q < queriesPerImage; q++)
        {
            var transform = order[q % order.Length];
            using var copy = CopyTransforms.Apply(transform, source, new Random(StableSeed(originalId, q)));
            using var image = SKImage.FromBitmap(copy);
            using var encoded = image.Encode(SKEncodedImageFormat.Jpeg, EncodeQuality);
            yield return new CopyQuery(originalId, transform, encoded.ToArray());
        }
    }

    private static SKBitmap ToBitmap(RgbImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = bitmap.GetPixelSpan();
        for (int i = 0, j = 0; i < image.Pixels.Length; i += 3, j += 4)
            (rgba[j], rgba[j + 1], rgba[j + 2], rgba[j + 3]) = (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2], 255);
        var longer = Math.Max(image.Width, image.Height);
        if (longer <= MaxSide)
            return bitmap;
        using (bitmap)
            return CopyTransforms.Rescale(bitmap, (double)MaxSide / longer);
    }

    /// <summary>FNV-1a over "seed/id/query": unlike string.GetHashCode, the same in every process.</summary>
    private int StableSeed(string originalId, int query)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes($"{seed}/{originalId}/{query}"))
            hash = (hash ^ b) * 16777619u;
        return (int)hash;
    }
}
