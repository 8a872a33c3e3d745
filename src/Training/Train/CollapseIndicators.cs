using EmbeddingService.Engine.Model;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>
/// The two signs of a collapsing self-distillation (DINO paper §5.3, the DINOv2 loop's monitoring), measured each step
/// without gradients: how uniform the teacher's DINO targets are, and how much the student's cls features still differ
/// between images.
/// </summary>
public static class CollapseIndicators
{
    /// <summary>Mean entropy of the teacher's DINO target rows over ln K, in [0, 1]: 1 is a uniform target (collapse to uniform).</summary>
    public const string TeacherEntropy = "teacher_dino_entropy";

    /// <summary>
    /// Std over the batch of the L2-normalised student global cls features, averaged over dimensions and multiplied by
    /// √D: about 1 for features spread like random unit vectors, 0 when every image gets the same feature.
    /// </summary>
    public const string StudentClsStd = "student_cls_std";

    /// <param name="targets">teacher probabilities [..., K]</param>
    public static double NormalizedEntropy(Tensor targets)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var prototypes = targets.shape[^1];
        if (prototypes < 2) return 0;
        var entropy = targets.mul(targets.ClampedBelow(1e-30).log()).sum(-1).neg().mean();
        return entropy.item<float>() / Math.Log(prototypes);
    }

    /// <param name="cls">features [B, D], B ≥ 2</param>
    public static double NormalizedStd(Tensor cls)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var normalized = nn.functional.normalize(cls.detach(), p: 2, dim: -1);
        return normalized.std(0).mean().item<float>() * Math.Sqrt(cls.shape[^1]);
    }
}
