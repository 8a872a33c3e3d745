using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>
/// Output of a packed forward: the pre-norm and normalised tokens of every image, concatenated
/// ([T, D], tokens ordered cls, registers, patches per image), with each image's location.
/// The accessors return views into these tensors.
/// </summary>
public sealed class PackedFeatures(Tensor prenorm, Tensor normed, IReadOnlyList<PackedSequence> sequences) : IDisposable
{
    public Tensor Prenorm { get; } = prenorm;
    public Tensor Normed { get; } = normed;
    /// <summary>One entry per input image, in input order.</summary>
    public IReadOnlyList<PackedSequence> Sequences { get; } = sequences;

    /// <summary>x_norm_clstoken: [D].</summary>
    public Tensor Cls(int image) => Normed[Sequences[image].Offset];

    /// <summary>x_norm_regtokens: [R, D].</summary>
    public Tensor Registers(int image) => Normed.narrow(0, Sequences[image].Offset + 1, Sequences[image].NumRegisters);

    /// <summary>x_norm_patchtokens: [P, D], row-major over the grid.</summary>
    public Tensor Patches(int image) =>
        Normed.narrow(0, Sequences[image].Offset + 1 + Sequences[image].NumRegisters, Sequences[image].PatchCount);

    /// <summary>x_prenorm: [1 + R + P, D].</summary>
    public Tensor PrenormTokens(int image) => Prenorm.narrow(0, Sequences[image].Offset, Sequences[image].Length);

    public void Dispose()
    {
        Prenorm.Dispose();
        Normed.Dispose();
    }
}
