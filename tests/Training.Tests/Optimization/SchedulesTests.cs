using EmbeddingService.Training.Optimization;

namespace EmbeddingService.Training.Tests.Optimization;

public sealed class SchedulesTests
{
    private const string Case = "dinov2-train-parity/schedules";

    /// <summary>The fixture's config_overrides.</summary>
    private static readonly ScheduleConfig Config = new()
    {
        Epochs = 4,
        OfficialEpochLength = 5,
        BaseLr = 0.004,
        TotalBatchSize = 64,
        MinLr = 1e-6,
        WarmupEpochs = 1,
        WeightDecay = 0.04,
        WeightDecayEnd = 0.4,
        MomentumTeacher = 0.992,
        FinalMomentumTeacher = 1,
        TeacherTemp = 0.07,
        WarmupTeacherTemp = 0.04,
        WarmupTeacherTempEpochs = 2,
        FreezeLastLayerEpochs = 1,
    };

    [Fact]
    public void Scaling_rule_gives_the_manifest_lr()
    {
        var derived = TrainFixtures.Manifest(Case).GetProperty("derived");
        Assert.Equal(derived.GetProperty("lr_after_scaling_rule").GetDouble(), Config.Lr, 1e-18);
    }

    [Theory]
    [InlineData("lr")]
    [InlineData("wd")]
    [InlineData("momentum")]
    [InlineData("teacher_temp")]
    [InlineData("last_layer_lr")]
    public void Every_iteration_and_past_the_end_matches(string name)
    {
        var schedules = new TrainingSchedules(Config);
        var schedule = name switch
        {
            "lr" => schedules.Lr,
            "wd" => schedules.Wd,
            "momentum" => schedules.Momentum,
            "teacher_temp" => schedules.TeacherTemp,
            _ => schedules.LastLayerLr,
        };
        using var expected = TrainFixtures.Npy(Case, $"{name}.npy");
        var values = expected.data<double>().ToArray();
        Assert.Equal(22, values.Length);
        for (var it = 0; it < values.Length; it++)
            Assert.True(Math.Abs(values[it] - schedule[it]) <= 1e-15, $"{name}[{it}]: {schedule[it]:R} vs {values[it]:R}");
    }

    [Fact]
    public void Warmup_reaches_its_base_value_at_its_last_step()
    {
        var scheduler = new CosineScheduler(1.0, 0.0, totalIters: 6, warmupIters: 3, startWarmupValue: 0.25, freezeIters: 1);
        Assert.Equal([0, 0.25, 0.625, 1.0, 1.0, 0.5, 0.0], Enumerable.Range(0, 7).Select(it => scheduler[it]).ToArray());
    }
}
