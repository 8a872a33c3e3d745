using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Masking;

/// <summary>
/// The masks of one batch of global crops as the official collate hands them to the iBOT loss:
/// <see cref="CollatedMasks"/> [B, N] bool (row = crop, crop-major), <see cref="MaskIndicesList"/> the ascending
/// flat indices of its True entries (int64), <see cref="MasksWeight"/> 1 / (masked count of the entry's crop)
/// per masked patch in that order (float32), <see cref="NMaskedPatches"/> [1] int64, and
/// <see cref="Upperbound"/>, the fixed size of the masked-token buffer.
/// </summary>
public sealed record MaskBatch(Tensor CollatedMasks, Tensor MaskIndicesList, Tensor MasksWeight, Tensor NMaskedPatches, int Upperbound)
    : IDisposable
{
    /// <summary>Derives the indices, weights and count from <paramref name="collatedMasks"/> [B, N] bool, which the batch then owns.</summary>
    public static MaskBatch FromMasks(Tensor collatedMasks, int upperbound)
    {
        if (collatedMasks.dtype != ScalarType.Bool || collatedMasks.dim() != 2)
            throw new ArgumentException($"masks must be a [B, N] bool tensor, not {collatedMasks.dtype} {string.Join('x', collatedMasks.shape)}", nameof(collatedMasks));
        using var scope = NewDisposeScope();
        var maskIndicesList = collatedMasks.flatten().nonzero().flatten();
        var perCropWeight = collatedMasks.sum(-1).ClampedBelow(1L).to(float32).reciprocal();
        var masksWeight = perCropWeight.unsqueeze(-1).expand_as(collatedMasks).masked_select(collatedMasks);
        var nMaskedPatches = ScalarArithmetic.Full([1], maskIndicesList.shape[0], int64);
        return new MaskBatch(collatedMasks, maskIndicesList.MoveToOuterDisposeScope(), masksWeight.MoveToOuterDisposeScope(),
            nMaskedPatches.MoveToOuterDisposeScope(), upperbound);
    }

    /// <summary>These masks when they are on <paramref name="device"/>, else copies there (in the current dispose scope).</summary>
    public MaskBatch On(Device device) =>
        CollatedMasks.IsOn(device)
            ? this
            : new MaskBatch(CollatedMasks.to(device), MaskIndicesList.to(device), MasksWeight.to(device), NMaskedPatches.to(device), Upperbound);

    public void Dispose()
    {
        CollatedMasks.Dispose();
        MaskIndicesList.Dispose();
        MasksWeight.Dispose();
        NMaskedPatches.Dispose();
    }
}
