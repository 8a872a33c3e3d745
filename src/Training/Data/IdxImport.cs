using System.Globalization;
using System.Text.Json;
using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Training.Data;

/// <summary>
/// Writes an IDX image set (images [N, rows, cols] and labels [N], unsigned bytes) as grayscale PNGs in class folders,
/// <c>OUT/&lt;class&gt;/&lt;index&gt;.png</c>: the layout <see cref="ImageFolderDataset"/> reads. Class folders are the
/// given names or the label numbers zero-padded to one width; indices are zero-padded, so ordinal order is IDX order.
/// <para>Re-running is safe and cheap: a file already holding the right bytes is left alone, and when the marker
/// <c>.import-idx.json</c> (hidden, so no scan sees it) says the same sources were imported completely, nothing is
/// read back. A folder holding other files is refused rather than mixed into the dataset.</para>
/// </summary>
public static class IdxImport
{
    public const string MarkerName = ".import-idx.json";

    /// <param name="classNames">One folder name per label value; null for the zero-padded label numbers.</param>
    public static IdxImportResult Run(string imagesPath, string labelsPath, string outDir, IReadOnlyList<string>? classNames = null)
    {
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Dimensions.Count != 3)
            throw new InvalidDataException($"{imagesPath} holds a [{string.Join(", ", images.Dimensions)}] array; images must be [N, rows, cols]");
        if (labels.Dimensions.Count != 1)
            throw new InvalidDataException($"{labelsPath} holds a [{string.Join(", ", labels.Dimensions)}] array; labels must be [N]");
        if (images.Count != labels.Count)
            throw new InvalidDataException($"{imagesPath} holds {images.Count} images but {labelsPath} {labels.Count} labels");
        var folders = ClassFolders(labels.Values.Max() + 1, classNames);
        var files = Files(images.Count, labels.Values, folders);

        Directory.CreateDirectory(outDir);
        var marker = new ImportMarker(Path.GetFullPath(imagesPath), new FileInfo(imagesPath).Length, Path.GetFullPath(labelsPath),
            new FileInfo(labelsPath).Length, images.Count, folders);
        var present = Present(outDir, files);
        if (present.Count == files.Length && ReadMarker(outDir) == marker)
            return new IdxImportResult(images.Count, folders, Written: 0, Unchanged: files.Length, AlreadyComplete: true);

        File.Delete(Path.Combine(outDir, MarkerName));
        foreach (var folder in folders) Directory.CreateDirectory(Path.Combine(outDir, folder));
        var (rows, cols) = (images.Dimensions[1], images.Dimensions[2]);
        var written = 0;
        for (var i = 0; i < files.Length; i++)
        {
            var png = GrayscalePng.Encode(cols, rows, images.Values.AsSpan(i * rows * cols, rows * cols));
            var path = Path.Combine(outDir, files[i]);
            if (present.Contains(files[i]) && new FileInfo(path).Length == png.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(png))
                continue;
            File.WriteAllBytes(path, png);
            written++;
        }
        File.WriteAllText(Path.Combine(outDir, MarkerName), JsonSerializer.Serialize(marker));
        return new IdxImportResult(images.Count, folders, written, files.Length - written, AlreadyComplete: false);
    }

    private static string[] ClassFolders(int labelCount, IReadOnlyList<string>? classNames)
    {
        if (classNames is null)
        {
            var width = (labelCount - 1).ToString(CultureInfo.InvariantCulture).Length;
            return Enumerable.Range(0, labelCount).Select(l => l.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0')).ToArray();
        }
        if (classNames.Count < labelCount)
            throw new ArgumentException($"--class-names gives {classNames.Count} names but the labels go up to {labelCount - 1}");
        foreach (var name in classNames)
        {
            if (name.Length == 0 || name is "." or ".." || name.StartsWith('.') || name.IndexOfAny(['/', '\\', '\0']) >= 0)
                throw new ArgumentException($"--class-names: '{name}' cannot be a class folder name (empty, hidden, or with a path separator)");
        }
        if (classNames.Distinct(StringComparer.Ordinal).Count() != classNames.Count)
            throw new ArgumentException($"--class-names repeats a name: {string.Join(",", classNames)}");
        return [.. classNames];
    }

    /// <summary>The relative path of every image, '/'-separated: class folder, then the zero-padded index.</summary>
    private static string[] Files(int count, byte[] labels, string[] folders)
    {
        var width = (count - 1).ToString(CultureInfo.InvariantCulture).Length;
        return Enumerable.Range(0, count)
            .Select(i => $"{folders[labels[i]]}/{i.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0')}.png")
            .ToArray();
    }

    /// <summary>Which of the expected files exist; any other file in the folder (but the marker) is refused.</summary>
    private static HashSet<string> Present(string outDir, string[] files)
    {
        var expected = files.ToHashSet(StringComparer.Ordinal);
        var present = new HashSet<string>(StringComparer.Ordinal);
        var strangers = new List<string>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
        foreach (var file in Directory.EnumerateFiles(outDir, "*", options))
        {
            var relative = Path.GetRelativePath(outDir, file).Replace(Path.DirectorySeparatorChar, '/');
            if (expected.Contains(relative)) present.Add(relative);
            else if (relative != MarkerName) strangers.Add(relative);
        }
        if (strangers.Count > 0)
            throw new InvalidDataException($"--out {outDir} holds {strangers.Count} file(s) this import does not write " +
                $"(e.g. {string.Join(", ", strangers.Order(StringComparer.Ordinal).Take(3))}); give an empty or new folder");
        return present;
    }

    private static ImportMarker? ReadMarker(string outDir)
    {
        var path = Path.Combine(outDir, MarkerName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<ImportMarker>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>What a complete import was made from; records compare by value, the folders by sequence.</summary>
    private sealed record ImportMarker(string Images, long ImagesBytes, string Labels, long LabelsBytes, int Count, string[] ClassFolders)
    {
        public bool Equals(ImportMarker? other) =>
            other is not null && Images == other.Images && ImagesBytes == other.ImagesBytes && Labels == other.Labels
            && LabelsBytes == other.LabelsBytes && Count == other.Count && ClassFolders.SequenceEqual(other.ClassFolders);

        public override int GetHashCode() => HashCode.Combine(Images, Count);
    }
}
