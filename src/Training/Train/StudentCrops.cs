using EmbeddingService.Engine.Model;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>
/// The student's backbone over the global crops (masked or not) and the local crops of a batch: one packed forward,
/// or (only to measure packing) one per crop size.
/// </summary>
internal static class StudentCrops
{
    /// <returns>The global crops' features, the local crops' cls tokens ([0, D] without local crops), local crops per image.</returns>
    public static (BatchFeatures Global, Tensor LocalCls, int LocalCropCount) Forward(
        DinoVisionTransformer backbone, Tensor globalCrops, Tensor? globalMasks, Tensor localCrops, bool pack)
    {
        var localCropCount = (int)(localCrops.shape[0] / (globalCrops.shape[0] / CrossCropDinoTerms.GlobalCrops));
        var batches = new List<(Tensor Images, Tensor? Masks)> { (globalCrops, globalMasks) };
        if (localCropCount > 0) batches.Add((localCrops, null));
        var features = pack
            ? backbone.ForwardFeaturesList(batches)
            : batches.Select(batch => backbone.ForwardFeatures(batch.Images, batch.Masks)).ToList();
        var localCls = localCropCount > 0 ? features[1].Cls : features[0].Cls.narrow(0, 0, 0);
        return (features[0], localCls, localCropCount);
    }
}
