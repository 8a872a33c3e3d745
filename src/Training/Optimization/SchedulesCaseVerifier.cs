using System.Text.Json;
using EmbeddingService.Training.Verification;
using static EmbeddingService.Training.Verification.ManifestReader;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Optimization;

/// <summary>
/// Case <c>schedules</c>: the five <see cref="TrainingSchedules"/> of the manifest's <c>config_overrides</c> (the
/// official defaults elsewhere, world size 1), each written as float64 <c>sched[it]</c> for as many iterations as the
/// case's file of that name holds (past the end included).
/// </summary>
public sealed class SchedulesCaseVerifier : ICaseVerifier
{
    private const string ScalingRule = "sqrt_wrt_1024";

    public string Kind => "schedules";

    public void Verify(CaseFolder folder, CaseOutput output)
    {
        var schedules = new TrainingSchedules(Config(At(folder.Manifest, "config_overrides")));
        var files = At(folder.Manifest, "files");
        foreach (var (name, schedule) in new[]
        {
            ("lr", schedules.Lr), ("wd", schedules.Wd), ("momentum", schedules.Momentum),
            ("teacher_temp", schedules.TeacherTemp), ("last_layer_lr", schedules.LastLayerLr),
        })
        {
            var file = name + ".npy";
            var length = At(files, file, "shape")[0].GetInt32();
            using var values = tensor(Enumerable.Range(0, length).Select(it => schedule[it]).ToArray(), float64);
            output.WriteNpy(file, values);
        }
    }

    private static ScheduleConfig Config(JsonElement overrides)
    {
        var rule = TryAt(overrides, "optim", "scaling_rule")?.GetString() ?? ScalingRule;
        if (rule != ScalingRule) throw new InvalidDataException($"optim.scaling_rule '{rule}' is not supported (only {ScalingRule})");
        var defaults = new ScheduleConfig();
        double Optim(string key, double fallback) => DoubleOr(overrides, fallback, "optim", key);
        double Teacher(string key, double fallback) => DoubleOr(overrides, fallback, "teacher", key);
        return new ScheduleConfig
        {
            Epochs = IntOr(overrides, defaults.Epochs, "optim", "epochs"),
            OfficialEpochLength = IntOr(overrides, defaults.OfficialEpochLength, "train", "OFFICIAL_EPOCH_LENGTH"),
            BaseLr = Optim("base_lr", defaults.BaseLr),
            TotalBatchSize = IntOr(overrides, defaults.TotalBatchSize, "train", "batch_size_per_gpu"),
            MinLr = Optim("min_lr", defaults.MinLr),
            WarmupEpochs = IntOr(overrides, defaults.WarmupEpochs, "optim", "warmup_epochs"),
            WeightDecay = Optim("weight_decay", defaults.WeightDecay),
            WeightDecayEnd = Optim("weight_decay_end", defaults.WeightDecayEnd),
            MomentumTeacher = Teacher("momentum_teacher", defaults.MomentumTeacher),
            FinalMomentumTeacher = Teacher("final_momentum_teacher", defaults.FinalMomentumTeacher),
            TeacherTemp = Teacher("teacher_temp", defaults.TeacherTemp),
            WarmupTeacherTemp = Teacher("warmup_teacher_temp", defaults.WarmupTeacherTemp),
            WarmupTeacherTempEpochs = IntOr(overrides, defaults.WarmupTeacherTempEpochs, "teacher", "warmup_teacher_temp_epochs"),
            FreezeLastLayerEpochs = IntOr(overrides, defaults.FreezeLastLayerEpochs, "optim", "freeze_last_layer_epochs"),
        };
    }
}
