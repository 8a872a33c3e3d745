namespace EmbeddingService.Training.Data;

/// <summary>A dataset that cannot serve a run or an evaluation; <see cref="Reason"/> is stable for callers to branch on.</summary>
public sealed class DatasetException(string reason, string message) : Exception(message)
{
    /// <summary>The folder does not exist (or is a file).</summary>
    public const string Missing = "dataset_missing";

    /// <summary>The folder holds no file that looks like a JPEG, PNG, WebP, BMP or GIF image.</summary>
    public const string Empty = "dataset_empty";

    /// <summary>Image files exist but none (or, for an evaluation set, not every one) decodes.</summary>
    public const string Unreadable = "dataset_unreadable";

    /// <summary>An evaluation needs class sub-folders the dataset does not have.</summary>
    public const string Unlabelled = "dataset_unlabelled";

    /// <summary>The images cannot be compared as they are (e.g. raw-pixel features of images of different sizes).</summary>
    public const string Inconsistent = "dataset_inconsistent";

    public string Reason { get; } = reason;
}
