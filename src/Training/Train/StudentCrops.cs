using EmbeddingService.Engine.Model;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>The student's backbone over its crop batches: one packed forward, or (to measure packing) one per batch.</summary>
internal static class StudentCrops
{
    public static IReadOnlyList<BatchFeatures> Forward(DinoVisionTransformer backbone, IReadOnlyList<(Tensor Images, Tensor? Masks)> batches, bool pack) =>
        pack ? backbone.ForwardFeaturesList(batches) : batches.Select(batch => backbone.ForwardFeatures(batch.Images, batch.Masks)).ToList();
}
