namespace EmbeddingService.Training.Runs.Spec;

/// <summary>
/// objective: loss weights, the teacher's centring and the temperatures (official dino.*, ibot.loss_weight,
/// train.centering, teacher.*_temp). Distillation targets are always Sinkhorn-Knopp; centering applies to pretraining
/// and the head warm-up.
/// </summary>
public sealed record ObjectiveSpec
{
    public const string MeanCentering = "centering";
    public const string SinkhornKnopp = "sinkhorn_knopp";

    public double DinoLossWeight { get; init; } = 1.0;
    public double IbotLossWeight { get; init; } = 1.0;
    public double KoleoLossWeight { get; init; } = 0.1;
    /// <summary>"centering" (ssl_default_config) or "sinkhorn_knopp" (the released models' configs).</summary>
    public string Centering { get; init; } = MeanCentering;
    public double StudentTemp { get; init; } = 0.1;
    public double CenterMomentum { get; init; } = 0.9;
    public double TeacherTemp { get; init; } = 0.07;
    public double WarmupTeacherTemp { get; init; } = 0.04;
    /// <summary>Default: 30 % of optim.steps (official: 30 of 100 epochs).</summary>
    public int? WarmupTeacherTempSteps { get; init; }
}
