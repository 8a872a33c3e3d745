namespace EmbeddingService.Engine.Imaging;

/// <summary>
/// Which files are images for the decoder: the extensions of its five formats (any case), and a cheap check of a file's
/// leading bytes, so a folder scan can set aside what is obviously no image without decoding anything.
/// </summary>
public static class ImageFiles
{
    /// <summary>The lower-case extensions of JPEG, PNG, WebP, BMP and GIF files.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"];

    /// <summary>Bytes <see cref="HasImageSignature"/> needs to tell every format apart (WebP's RIFF header is the longest).</summary>
    public const int SignatureLength = 12;

    public static bool HasImageExtension(string path) =>
        Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether the leading bytes are those of a format the decoder accepts (it may still fail on the rest).</summary>
    public static bool HasImageSignature(ReadOnlySpan<byte> leadingBytes) => ImageSignature.Identify(leadingBytes) is not null;
}
