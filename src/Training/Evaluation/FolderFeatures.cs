using static TorchSharp.torch;

namespace EmbeddingService.Training.Evaluation;

/// <summary>
/// The features of a folder's readable images: row r is image <see cref="Rows"/>[r] of the dataset. Images that did not
/// decode are left out and listed (relative path and reason). Owns <see cref="Features"/>.
/// </summary>
public sealed class FolderFeatures(Tensor features, IReadOnlyList<int> rows, IReadOnlyList<string> unreadable, (int Width, int Height)? pixelSize = null)
    : IDisposable
{
    /// <summary>[rows, D] float32, not normalised.</summary>
    public Tensor Features { get; } = features;

    public IReadOnlyList<int> Rows { get; } = rows;

    public IReadOnlyList<string> Unreadable { get; } = unreadable;

    /// <summary>For pixel features, the one size of every image.</summary>
    public (int Width, int Height)? PixelSize { get; } = pixelSize;

    public void Dispose() => Features.Dispose();
}
