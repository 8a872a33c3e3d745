using static TorchSharp.torch;

namespace EmbeddingService.Training.Masking;

/// <summary>
/// The official <c>collate_data_and_cast</c> (dinov2/data/collate.py) as train.py configures it: of the B global
/// crops of a batch, int(B·<paramref name="maskProbability"/>) get a mask target, slot i drawn uniformly between
/// probs[i] and probs[i+1] of the N patches (probs = linspace(min, max) over those slots, so the slots cover the
/// ratio range evenly), the others get an empty mask; then the masks are shuffled over the crops.
/// </summary>
/// <param name="random">The draws' source; pass the generator's own instance for one reproducible stream, as the
/// official code draws both from Python's global <c>random</c>.</param>
public sealed class BatchCollator(MaskingGenerator maskGenerator, Random random,
    double maskRatioMin = 0.1, double maskRatioMax = 0.5, double maskProbability = 0.5)
{
    public MaskingGenerator MaskGenerator { get; } = maskGenerator;

    /// <summary>N, the patches of one global crop.</summary>
    public int NTokens => MaskGenerator.NumPatches;

    /// <param name="globalCropsPerImage">[image][crop] tensors [C, H, W]; the crops' grid must be the generator's.</param>
    /// <param name="localCropsPerImage">[image][crop] tensors [C, h, w].</param>
    public CollatedBatch Collate(IReadOnlyList<IReadOnlyList<Tensor>> globalCropsPerImage, IReadOnlyList<IReadOnlyList<Tensor>> localCropsPerImage)
    {
        var globalCrops = CropStacking.StackCropMajor(globalCropsPerImage);
        var localCrops = CropStacking.StackCropMajor(localCropsPerImage);
        return new CollatedBatch(globalCrops, localCrops, CollateMasks((int)globalCrops.shape[0]));
    }

    /// <summary>The masks of <paramref name="batchSize"/> global crops.</summary>
    public MaskBatch CollateMasks(int batchSize)
    {
        var probs = SlotProbabilities(batchSize);
        var nSamplesMasked = probs.Length - 1;
        var masks = new bool[batchSize][,];
        for (var i = 0; i < nSamplesMasked; i++)
        {
            // float32 arithmetic as in the official code, where probs is a float32 tensor.
            var ratio = probs[i] + (probs[i + 1] - probs[i]) * (float)random.NextDouble();
            masks[i] = MaskGenerator.Generate((int)(NTokens * ratio));
        }
        for (var i = nSamplesMasked; i < batchSize; i++)
            masks[i] = MaskGenerator.Generate(0);
        random.Shuffle(masks);

        var flat = new bool[batchSize * NTokens];
        for (var b = 0; b < batchSize; b++)
        {
            var row = b * NTokens;
            foreach (var masked in masks[b]) flat[row++] = masked;
        }
        return MaskBatch.FromMasks(tensor(flat, [batchSize, NTokens]), Upperbound(probs));
    }

    /// <summary>Σ int(N·probs[i+1]) over the masked slots: no batch of this size masks more patches.</summary>
    public int Upperbound(int batchSize) => Upperbound(SlotProbabilities(batchSize));

    private int Upperbound(float[] probs)
    {
        var upperbound = 0;
        for (var i = 1; i < probs.Length; i++) upperbound += (int)(NTokens * probs[i]);
        return upperbound;
    }

    /// <summary>probs: int(B·mask_probability) + 1 float32 points from the smallest to the largest mask ratio.</summary>
    public float[] SlotProbabilities(int batchSize)
    {
        using var scope = NewDisposeScope();
        return linspace(maskRatioMin, maskRatioMax, (int)(batchSize * maskProbability) + 1, float32).data<float>().ToArray();
    }
}
