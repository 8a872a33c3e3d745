namespace EmbeddingService.Training.Runs.Spec;

/// <summary>
/// distillation: the frozen teacher — a training checkpoint with heads (ours or the official teacher_checkpoint.pth
/// layout) or any backbone checkpoint the engine loads. A backbone without heads first gets DINO and iBOT heads trained
/// on it for <see cref="HeadWarmupSteps"/> iterations with the pretraining objective (backbone frozen).
/// </summary>
public sealed record DistillationSpec
{
    public string? Teacher { get; init; }
    /// <summary>Attention heads of the teacher when its width is not an official one and no sidecar says.</summary>
    public int? TeacherNumHeads { get; init; }
    /// <summary>Default: 10 % of optim.steps; only used when the teacher has no heads.</summary>
    public int? HeadWarmupSteps { get; init; }
}
