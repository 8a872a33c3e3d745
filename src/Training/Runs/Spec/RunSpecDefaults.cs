using EmbeddingService.Engine.Model;

namespace EmbeddingService.Training.Runs.Spec;

/// <summary>
/// Fills the defaults that depend on other fields, so the canonical spec states every value the run uses. Scaling of
/// the official epochs to a run of optim.steps iterations: lr warm-up 10 %, teacher temperature warm-up 30 %, frozen
/// last layer 1 % (official 10, 30 and 1 of 100 epochs); a head warm-up of 10 %.
/// </summary>
internal static class RunSpecDefaults
{
    public const string DefaultArch = "vits14";
    /// <summary>Official student.drop_path_rate is 0.3 (ViT-L, 0.4 in vitl14.yaml); small ViTs train with 0.1 (DINO, iBOT ViT-S).</summary>
    public const double PretrainDropPath = 0.1;

    public static RunSpec Complete(RunSpec spec)
    {
        var distill = spec.Kind == RunKind.Distill;
        var steps = spec.Optim.Steps;
        return spec with
        {
            Model = CompleteModel(spec.Model, spec.Crops.GlobalSize, distill),
            Heads = spec.Heads with
            {
                SeparateIbotHead = spec.Heads.SeparateIbotHead ?? distill,
                IbotPrototypes = spec.Heads.IbotPrototypes ?? spec.Heads.Prototypes,
            },
            Objective = spec.Objective with { WarmupTeacherTempSteps = spec.Objective.WarmupTeacherTempSteps ?? Fraction(steps, 0.3) },
            Optim = spec.Optim with
            {
                WarmupSteps = spec.Optim.WarmupSteps ?? Fraction(steps, 0.1),
                FreezeLastLayerSteps = spec.Optim.FreezeLastLayerSteps ?? Fraction(steps, 0.01),
            },
            Evaluation = spec.Evaluation with { Resolution = spec.Evaluation.Resolution ?? spec.Crops.GlobalSize },
            Distillation = spec.Distillation is { } d ? d with { HeadWarmupSteps = d.HeadWarmupSteps ?? Fraction(steps, 0.1) } : null,
        };
    }

    private static ModelSpec CompleteModel(ModelSpec model, int globalSize, bool distill)
    {
        var explicitSize = model.EmbedDim is not null || model.Depth is not null || model.NumHeads is not null;
        var arch = model.Arch ?? (explicitSize ? null : DefaultArch);
        VitConfig? named = arch is not null && VitArchitectures.TryGet(arch, out var found) ? found : null;
        return model with
        {
            Arch = arch,
            EmbedDim = model.EmbedDim ?? named?.EmbedDim,
            Depth = model.Depth ?? named?.Depth,
            NumHeads = model.NumHeads ?? named?.NumHeads,
            PatchSize = model.PatchSize ?? named?.PatchSize ?? 14,
            NumRegisters = model.NumRegisters ?? named?.NumRegisters ?? 0,
            Ffn = model.Ffn ?? (named?.Ffn == FfnKind.SwiGlu ? "swiglu" : "mlp"),
            MlpRatio = model.MlpRatio ?? named?.MlpRatio ?? 4.0,
            ImgSize = model.ImgSize ?? globalSize,
            DropPathRate = model.DropPathRate ?? (distill ? 0 : PretrainDropPath),
        };
    }

    private static int Fraction(int steps, double fraction) => (int)Math.Round(steps * fraction);
}
