namespace EmbeddingService.Training.Runs.Spec;

/// <summary>
/// One training run, as its JSON file says it (snake_case names, every section optional). Defaults are the official
/// ssl_default_config's, scaled to runs of <see cref="OptimSpec.Steps"/> iterations as each field documents;
/// <see cref="RunSpecFile"/> reads, completes and validates it.
/// </summary>
public sealed record RunSpec
{
    public RunKind? Kind { get; init; }
    public long Seed { get; init; }
    /// <summary>Images per iteration (official batch_size_per_gpu 64, one process).</summary>
    public int BatchSize { get; init; } = 64;
    public DataSpec Data { get; init; } = new();
    public ModelSpec Model { get; init; } = new();
    public HeadsSpec Heads { get; init; } = new();
    public CropsSpec Crops { get; init; } = new();
    public MaskingSpec Masking { get; init; } = new();
    public ObjectiveSpec Objective { get; init; } = new();
    public OptimSpec Optim { get; init; } = new();
    public CheckpointSpec Checkpoints { get; init; } = new();
    public EvaluationSpec Evaluation { get; init; } = new();
    public ExecutionSpec Execution { get; init; } = new();
    public DistillationSpec? Distillation { get; init; }
}
