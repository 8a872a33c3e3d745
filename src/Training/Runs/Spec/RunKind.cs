namespace EmbeddingService.Training.Runs.Spec;

/// <summary>What a run trains: DINOv2 self-supervised pretraining, or distillation from a frozen teacher (paper §5).</summary>
public enum RunKind
{
    Pretrain,
    Distill,
}
