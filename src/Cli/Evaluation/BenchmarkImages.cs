using EmbeddingService.Cli.Load;
using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Cli.Evaluation;

/// <summary>
/// The originals of a benchmark: every image file of a folder that decodes (the others are counted and skipped), with a
/// seeded share held out as distractors, which are indexed but never queried. Distractors come from the folder itself rather
/// than from synthetic pictures, so that they look like the rest of the collection and a copy has to be told from its
/// real neighbours.
/// </summary>
public sealed class BenchmarkImages
{
    private BenchmarkImages(IReadOnlyList<BenchmarkImage> all, int unreadable, double distractorFraction)
    {
        All = all;
        Unreadable = unreadable;
        DistractorFraction = distractorFraction;
    }

    /// <summary>Every readable image, in ordinal order of the file names.</summary>
    public IReadOnlyList<BenchmarkImage> All { get; }

    /// <summary>Image files that did not decode and were left out.</summary>
    public int Unreadable { get; }

    public double DistractorFraction { get; }

    /// <param name="distractorFraction">The share of readable images held out as distractors, rounded; at least one image stays a query source.</param>
    public static BenchmarkImages Load(string folder, double distractorFraction, int seed, ImageDecoder decoder)
    {
        if (distractorFraction is < 0 or >= 1 || double.IsNaN(distractorFraction))
            throw new ArgumentException($"--distractor-fraction must be at least 0 and below 1, not {distractorFraction}");
        var readable = new List<(string Id, byte[] Bytes)>();
        var unreadable = 0;
        foreach (var file in LoadImages.Files(folder))
        {
            var bytes = File.ReadAllBytes(file);
            if (Decodes(bytes, decoder)) readable.Add((Path.GetFileName(file), bytes));
            else unreadable++;
        }
        if (readable.Count == 0)
            throw new InvalidDataException($"--images: none of the {unreadable} image files in {folder} decodes");

        var shuffled = readable.Select(r => r.Id).ToArray();
        new Random(seed).Shuffle(shuffled);
        var count = Math.Min(readable.Count - 1, (int)Math.Round(distractorFraction * readable.Count, MidpointRounding.AwayFromZero));
        var distractors = shuffled.Take(count).ToHashSet(StringComparer.Ordinal);
        return new BenchmarkImages(readable.Select(r => new BenchmarkImage(r.Id, r.Bytes, distractors.Contains(r.Id))).ToArray(), unreadable, distractorFraction);
    }

    private static bool Decodes(byte[] bytes, ImageDecoder decoder)
    {
        try
        {
            decoder.Decode(bytes);
            return true;
        }
        catch (ImageDecodeException)
        {
            return false;
        }
    }
}
