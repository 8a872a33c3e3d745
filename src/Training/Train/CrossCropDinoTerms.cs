using EmbeddingService.Engine.Model;
using EmbeddingService.Training.Losses;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>
/// The DINO and KoLeo terms of forward_backward, shared by pretraining and distillation: local crops against both
/// teacher crops, global crops against the swapped teacher crops (×2, both processed together), each divided by the
/// number of crop pairs; KoLeo per global crop on the backbone's cls tokens; the collapse indicators of both.
/// </summary>
internal static class CrossCropDinoTerms
{
    public const int GlobalCrops = 2;
    public const double LossScales = 2;

    public static void Add(LossAccumulator losses, DinoLoss dinoLoss, KoLeoLoss? koleoLoss, SslObjectiveOptions options,
        Tensor localAfterHead, Tensor globalAfterHead, Tensor globalCls, Tensor teacherTargets, int localCropCount)
    {
        var localTerms = Math.Max(localCropCount * GlobalCrops, 1);
        var globalTerms = (GlobalCrops - 1) * GlobalCrops;
        var pairs = (double)(localTerms + globalTerms);
        if (localCropCount > 0)
            losses.Add("dino_local_crops_loss",
                dinoLoss.Forward(localAfterHead.chunk(localCropCount), teacherTargets.unbind(0)).DividedBy(pairs), options.DinoLossWeight);
        losses.Add("dino_global_crops_loss",
            dinoLoss.Forward([globalAfterHead], [teacherTargets.flatten(0, 1)]).Times(LossScales).DividedBy(pairs), options.DinoLossWeight);
        losses.Indicate(CollapseIndicators.TeacherEntropy, CollapseIndicators.NormalizedEntropy(teacherTargets));
        losses.Indicate(CollapseIndicators.StudentClsStd, CollapseIndicators.NormalizedStd(globalCls));
        if (koleoLoss is null) return;
        // Not between the two crops of one image: one KoLeo per global crop.
        var chunks = globalCls.chunk(GlobalCrops);
        var koleo = koleoLoss.call(chunks[0]).Plus(koleoLoss.call(chunks[1])).Times(options.KoleoLossWeight);
        losses.Add("koleo_loss", koleo, 1, displayDivisor: LossScales);
    }
}
