namespace EmbeddingService.Training.Optimization;

/// <summary>
/// The schedule settings of the DINOv2 config (optim.*, teacher.*, train.OFFICIAL_EPOCH_LENGTH / batch size); defaults
/// are those of configs/ssl_default_config.yaml.
/// </summary>
public sealed record ScheduleConfig
{
    public int Epochs { get; init; } = 100;
    /// <summary>Iterations per epoch (train.OFFICIAL_EPOCH_LENGTH), independent of the data set size.</summary>
    public int OfficialEpochLength { get; init; } = 1250;
    /// <summary>The learning rate for a total batch of 1024.</summary>
    public double BaseLr { get; init; } = 0.004;
    /// <summary>Images per iteration over all workers (batch_size_per_gpu × world size).</summary>
    public int TotalBatchSize { get; init; } = 64;
    public double MinLr { get; init; } = 1e-6;
    public int WarmupEpochs { get; init; } = 10;
    public double WeightDecay { get; init; } = 0.04;
    public double WeightDecayEnd { get; init; } = 0.4;
    public double MomentumTeacher { get; init; } = 0.992;
    public double FinalMomentumTeacher { get; init; } = 1;
    public double TeacherTemp { get; init; } = 0.07;
    public double WarmupTeacherTemp { get; init; } = 0.04;
    public int WarmupTeacherTempEpochs { get; init; } = 30;
    public int FreezeLastLayerEpochs { get; init; } = 1;

    /// <summary>The peak learning rate by the official (and only) scaling rule, sqrt_wrt_1024: base_lr · √(batch / 1024).</summary>
    public double Lr => BaseLr * Math.Sqrt(TotalBatchSize / 1024.0);
}
