namespace EmbeddingService.Training.Optimization;

/// <summary>The five schedules of a DINOv2 run, as dinov2 train/train.py build_schedulers makes them.</summary>
public sealed class TrainingSchedules
{
    public TrainingSchedules(ScheduleConfig config)
    {
        var epochLength = config.OfficialEpochLength;
        var totalIters = config.Epochs * epochLength;
        Lr = new CosineScheduler(config.Lr, config.MinLr, totalIters, config.WarmupEpochs * epochLength);
        Wd = new CosineScheduler(config.WeightDecay, config.WeightDecayEnd, totalIters);
        Momentum = new CosineScheduler(config.MomentumTeacher, config.FinalMomentumTeacher, totalIters);
        // Warm-up only: it lasts the whole schedule, then the final value holds.
        var teacherTempIters = config.WarmupTeacherTempEpochs * epochLength;
        TeacherTemp = new CosineScheduler(config.TeacherTemp, config.TeacherTemp, teacherTempIters, teacherTempIters, config.WarmupTeacherTemp);
        // The lr schedule with zeros over the frozen epochs (not shifted by them, unlike freezeIters).
        LastLayerLr = Lr.WithFirstIterationsZeroed(config.FreezeLastLayerEpochs * epochLength);
    }

    public CosineScheduler Lr { get; }
    public CosineScheduler Wd { get; }
    public CosineScheduler Momentum { get; }
    public CosineScheduler TeacherTemp { get; }
    public CosineScheduler LastLayerLr { get; }
}
