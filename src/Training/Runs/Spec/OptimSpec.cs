namespace EmbeddingService.Training.Runs.Spec;

/// <summary>
/// optim: AdamW and the schedules (official optim.*, teacher.momentum_*), in iterations instead of epochs of 1250:
/// <see cref="Steps"/> iterations in all, warm-up and last-layer freeze as the official fractions of them.
/// </summary>
public sealed record OptimSpec
{
    public int Steps { get; init; } = 1000;
    /// <summary>Default: 10 % of <see cref="Steps"/> (official: 10 of 100 epochs).</summary>
    public int? WarmupSteps { get; init; }
    /// <summary>The learning rate for a batch of 1024; the peak is base_lr · √(batch_size / 1024) (sqrt_wrt_1024).</summary>
    public double BaseLr { get; init; } = 0.004;
    public double MinLr { get; init; } = 1e-6;
    public double WeightDecay { get; init; } = 0.04;
    public double WeightDecayEnd { get; init; } = 0.4;
    public double MomentumTeacher { get; init; } = 0.992;
    public double FinalMomentumTeacher { get; init; } = 1.0;
    /// <summary>Per-module gradient norm clip; 0 turns clipping off.</summary>
    public double ClipGrad { get; init; } = 3.0;
    /// <summary>Default: 1 % of <see cref="Steps"/> (official: 1 of 100 epochs).</summary>
    public int? FreezeLastLayerSteps { get; init; }
    public double LayerwiseDecay { get; init; } = 0.9;
    public double PatchEmbedLrMult { get; init; } = 0.2;
    public double AdamwBeta1 { get; init; } = 0.9;
    public double AdamwBeta2 { get; init; } = 0.999;
}
