using EmbeddingService.Engine.Imaging;
using Microsoft.Win32.SafeHandles;

namespace EmbeddingService.Training.Data;

/// <summary>
/// A folder of images, searched recursively: every file with a JPEG, PNG, WebP, BMP or GIF extension (any case) whose first
/// bytes are those of such an image; hidden files and folders are skipped. Images are sorted by relative path (ordinal), so
/// a folder gives the same order everywhere.
/// <para>Labels (for evaluation only): the first-level sub-folders are the classes, in ordinal order of their names, and an
/// image anywhere below one belongs to it. The dataset is labelled only when every image is inside a class folder: one
/// image directly in the root next to class folders makes the whole set unlabelled (labels -1, no class names), since a
/// classifier scored on part of a folder would silently mislead; <see cref="RootImages"/> says why.</para>
/// </summary>
public sealed class ImageFolderDataset
{
    private const int MaxExamples = 10;

    private ImageFolderDataset(string root, IReadOnlyList<DatasetImage> images, IReadOnlyList<string> classNames, int rootImages,
        int otherFiles, IReadOnlyList<string> unrecognised, int unrecognisedCount)
    {
        Root = root;
        Images = images;
        ClassNames = classNames;
        RootImages = rootImages;
        OtherFiles = otherFiles;
        UnrecognisedExamples = unrecognised;
        UnrecognisedFiles = unrecognisedCount;
    }

    /// <summary>The folder as the user gave it (for messages); <see cref="PathOf"/> resolves images against it.</summary>
    public string Root { get; }

    public IReadOnlyList<DatasetImage> Images { get; }

    /// <summary>Class names, label i = ClassNames[i]; empty when unlabelled.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    public bool IsLabelled => ClassNames.Count > 0;

    /// <summary>Images directly in the root, outside any class folder.</summary>
    public int RootImages { get; }

    /// <summary>Files without an image extension, ignored.</summary>
    public int OtherFiles { get; }

    /// <summary>Files with an image extension that do not start like one (or cannot be opened), set aside at the scan.</summary>
    public int UnrecognisedFiles { get; }

    /// <summary>Up to ten of them, relative paths in ordinal order.</summary>
    public IReadOnlyList<string> UnrecognisedExamples { get; }

    /// <exception cref="DatasetException"><c>dataset_missing</c> for no such folder, <c>dataset_empty</c> when it holds no image.</exception>
    public static ImageFolderDataset Scan(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (!Directory.Exists(root))
            throw new DatasetException(DatasetException.Missing, File.Exists(root)
                ? $"dataset '{root}' is a file; give the folder that holds the images"
                : $"dataset folder '{root}' does not exist");

        var full = Path.GetFullPath(root);
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        var found = new List<string>();
        var unrecognised = new List<string>();
        var otherFiles = 0;
        foreach (var file in Directory.EnumerateFiles(full, "*", options))
        {
            var relative = Path.GetRelativePath(full, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!ImageFiles.HasImageExtension(file)) otherFiles++;
            else if (StartsLikeAnImage(file)) found.Add(relative);
            else unrecognised.Add(relative);
        }
        found.Sort(StringComparer.Ordinal);
        unrecognised.Sort(StringComparer.Ordinal);
        if (found.Count == 0)
            throw new DatasetException(DatasetException.Empty, EmptyMessage(root, otherFiles, unrecognised));

        var rootImages = found.Count(f => !f.Contains('/'));
        var classNames = rootImages > 0 ? [] : found.Select(ClassFolder).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var labels = classNames.Select((name, label) => (name, label)).ToDictionary(c => c.name, c => c.label, StringComparer.Ordinal);
        var images = found.Select(f => new DatasetImage(f, labels.Count == 0 ? -1 : labels[ClassFolder(f)])).ToArray();
        return new ImageFolderDataset(root, images, classNames, rootImages, otherFiles, unrecognised.Take(MaxExamples).ToArray(), unrecognised.Count);
    }

    /// <summary>The image's file path: the root as given, joined with the relative path.</summary>
    public string PathOf(DatasetImage image) => Path.Combine(Root, image.RelativePath);

    /// <summary>Throws <c>dataset_unlabelled</c>, saying why, unless every image has a class.</summary>
    /// <param name="role">What the set is for, e.g. "--train", to start the message.</param>
    public void RequireLabels(string role)
    {
        if (IsLabelled) return;
        var why = RootImages == Images.Count
            ? $"all {Images.Count} images lie directly in it; put each class in its own sub-folder"
            : $"{RootImages} of its {Images.Count} images lie directly in it, outside the class sub-folders; move or remove them";
        throw new DatasetException(DatasetException.Unlabelled, $"{role} '{Root}' has no class labels: {why}");
    }

    private static string ClassFolder(string relativePath) => relativePath[..relativePath.IndexOf('/')];

    private static bool StartsLikeAnImage(string path)
    {
        try
        {
            using SafeFileHandle handle = File.OpenHandle(path);
            Span<byte> head = stackalloc byte[ImageFiles.SignatureLength];
            var read = RandomAccess.Read(handle, head, 0);
            return ImageFiles.HasImageSignature(head[..read]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string EmptyMessage(string root, int otherFiles, List<string> unrecognised)
    {
        var message = $"dataset '{root}' holds no usable image: ";
        if (unrecognised.Count > 0)
            message += $"{unrecognised.Count} file(s) have an image extension but are not JPEG, PNG, WebP, BMP or GIF data " +
                $"(e.g. {string.Join(", ", unrecognised.Take(3))}) and {otherFiles} other file(s) were ignored";
        else
            message += $"no file with an image extension ({string.Join(", ", ImageFiles.Extensions)}) among {otherFiles} file(s)";
        return message;
    }
}
