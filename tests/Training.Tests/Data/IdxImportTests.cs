using System.IO.Compression;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Training.Data;

namespace EmbeddingService.Training.Tests.Data;

public sealed class IdxImportTests
{
    private const int Rows = 5;
    private const int Cols = 3;

    [Fact]
    public void Written_pngs_decode_to_the_idx_pixels_in_class_folders_in_idx_order()
    {
        using var folder = new ImageFolder();
        var (pixels, labels, images, labelFile) = WriteSet(folder, count: 12, classes: 3, seed: 1);
        var outDir = Path.Combine(folder.Root, "out");

        var result = IdxImport.Run(images, labelFile, outDir);

        Assert.Equal(12, result.Images);
        Assert.Equal(["0", "1", "2"], result.ClassFolders);
        Assert.Equal(12, result.Written);
        var decoder = new ImageDecoder();
        for (var i = 0; i < 12; i++)
        {
            var image = decoder.Decode(File.ReadAllBytes(Path.Combine(outDir, $"{labels[i]}", $"{i:00}.png")));
            Assert.Equal((Cols, Rows), (image.Width, image.Height));
            var expected = pixels.AsSpan(i * Rows * Cols, Rows * Cols).ToArray().SelectMany(v => new[] { v, v, v });
            Assert.Equal(expected, image.Pixels);
        }
        var data = ImageFolderDataset.Scan(outDir);
        Assert.Equal(12, data.Images.Count);
        Assert.Equal(labels.Select(l => (int)l), data.Images.OrderBy(i => Path.GetFileName(i.RelativePath), StringComparer.Ordinal).Select(i => i.Label));
    }

    [Fact]
    public void Gzip_files_and_class_names_are_accepted()
    {
        using var folder = new ImageFolder();
        var (pixels, labels) = Sample(count: 4, classes: 2, seed: 2);
        var images = folder.Write("images.gz", Gzip(IdxFile.Encode([4, Rows, Cols], pixels)));
        var labelFile = folder.Write("labels.gz", Gzip(IdxFile.Encode([4], labels)));
        var outDir = Path.Combine(folder.Root, "out");

        var result = IdxImport.Run(images, labelFile, outDir, ["coat", "bag"]);

        Assert.Equal(["coat", "bag"], result.ClassFolders);
        for (var i = 0; i < 4; i++)
            Assert.True(File.Exists(Path.Combine(outDir, labels[i] == 0 ? "coat" : "bag", $"{i}.png")));
    }

    [Fact]
    public void A_rerun_writes_nothing_and_repairs_what_was_lost()
    {
        using var folder = new ImageFolder();
        var (_, labels, images, labelFile) = WriteSet(folder, count: 6, classes: 2, seed: 3);
        var outDir = Path.Combine(folder.Root, "out");
        IdxImport.Run(images, labelFile, outDir);
        var before = Snapshot(outDir);

        var again = IdxImport.Run(images, labelFile, outDir);
        Assert.True(again.AlreadyComplete);
        Assert.Equal(0, again.Written);
        Assert.Equal(before, Snapshot(outDir));

        var lost = Path.Combine(outDir, $"{labels[4]}", "4.png");
        var lostBytes = File.ReadAllBytes(lost);
        File.Delete(lost);
        var repaired = IdxImport.Run(images, labelFile, outDir);
        Assert.False(repaired.AlreadyComplete);
        Assert.Equal((1, 5), (repaired.Written, repaired.Unchanged));
        Assert.Equal(lostBytes, File.ReadAllBytes(lost));
        var after = Snapshot(outDir);
        Assert.Equal(before.Where(f => f.Key != lost), after.Where(f => f.Key != lost));
    }

    [Fact]
    public void A_folder_with_other_files_is_refused()
    {
        using var folder = new ImageFolder();
        var (_, _, images, labelFile) = WriteSet(folder, count: 2, classes: 2, seed: 4);
        folder.Text("out/0/holiday.jpg");

        var e = Assert.Throws<InvalidDataException>(() => IdxImport.Run(images, labelFile, Path.Combine(folder.Root, "out")));
        Assert.Contains("0/holiday.jpg", e.Message);
    }

    [Fact]
    public void Truncated_mismatched_and_foreign_files_are_clear_errors()
    {
        using var folder = new ImageFolder();
        var (pixels, labels) = Sample(count: 3, classes: 2, seed: 5);
        var good = IdxFile.Encode([3, Rows, Cols], pixels);
        var labelFile = folder.Write("labels.idx", IdxFile.Encode([3], labels));
        var outDir = Path.Combine(folder.Root, "out");

        var truncated = folder.Write("truncated.idx", good[..^4]);
        Assert.Contains("is truncated: 3x5x3 needs 45 value bytes, the file has 41", Error(truncated, labelFile));
        var truncatedGzip = folder.Write("truncated.gz", Gzip(good)[..^12]);
        Assert.Contains("truncated.gz", Error(truncatedGzip, labelFile));
        var longer = folder.Write("longer.idx", [.. good, 1, 2]);
        Assert.Contains("has 2 bytes after", Error(longer, labelFile));
        var foreign = folder.Write("photo.png", GrayscalePng.Encode(2, 2, [1, 2, 3, 4]));
        Assert.Contains("not an IDX file", Error(foreign, labelFile));
        var floats = good.ToArray();
        floats[2] = 0x0D;
        Assert.Contains("type 0x0d", Error(folder.Write("floats.idx", floats), labelFile));
        var fewerLabels = folder.Write("fewer.idx", IdxFile.Encode([2], labels[..2]));
        Assert.Contains("holds 3 images but", Error(folder.Write("images.idx", good), fewerLabels));
        Assert.Contains("labels must be [N]", Error(folder.Write("images2.idx", good), folder.Write("images3.idx", good)));
        Assert.Throws<ArgumentException>(() => IdxImport.Run(folder.Write("images4.idx", good), labelFile, outDir, ["only-one"]));
        Assert.Throws<ArgumentException>(() => IdxImport.Run(folder.Write("images5.idx", good), labelFile, outDir, ["a", "../b"]));

        string Error(string images, string labelsPath) =>
            Assert.Throws<InvalidDataException>(() => IdxImport.Run(images, labelsPath, outDir)).Message;
    }

    /// <summary>A set's pixels and labels, and the plain IDX files holding them.</summary>
    private static (byte[] Pixels, byte[] Labels, string Images, string LabelFile) WriteSet(ImageFolder folder, int count, int classes, int seed)
    {
        var (pixels, labels) = Sample(count, classes, seed);
        return (pixels, labels, folder.Write("images.idx", IdxFile.Encode([count, Rows, Cols], pixels)),
            folder.Write("labels.idx", IdxFile.Encode([count], labels)));
    }

    private static (byte[] Pixels, byte[] Labels) Sample(int count, int classes, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * Rows * Cols];
        random.NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i < classes ? i : random.Next(classes))).ToArray();
        return (pixels, labels);
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal))
            gzip.Write(bytes);
        return compressed.ToArray();
    }

    private static Dictionary<string, (DateTime, long)> Snapshot(string dir) =>
        Directory.EnumerateFiles(dir, "*.png", SearchOption.AllDirectories)
            .ToDictionary(f => f, f => (File.GetLastWriteTimeUtc(f), new FileInfo(f).Length));
}
