using EmbeddingService.Training.Masking;
using EmbeddingService.Training.Optimization;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>
/// The body of the official training loop (train.py do_train): set the scheduled lr/wd, drop the gradients, forward and
/// backward, clip each student module's gradients to <see cref="ClipGrad"/>, one AdamW step, then the EMA update.
/// </summary>
public sealed class TrainingStep(ITrainingObjective objective, ScheduledAdamW optimizer, double clipGrad = 3.0)
{
    public double ClipGrad { get; } = clipGrad;

    /// <param name="beforeClipping">sees the raw gradients (parity checks record them)</param>
    public StepResult Run(CollatedBatch batch, StepSchedule schedule, Action? beforeClipping = null)
    {
        var timer = new PhaseTimer();
        optimizer.ApplyOptimScheduler(schedule.Lr, schedule.Wd, schedule.LastLayerLr);
        optimizer.ZeroGrad();
        var losses = objective.ForwardBackward(batch, schedule.TeacherTemp, timer);
        beforeClipping?.Invoke();
        var norms = timer.Measure("clip_grad", () => ClipGrad > 0
            ? GradientClipping.ClipPerModule(objective.Student.Submodules.Select(m => (m.Name, m.Module.parameters())), ClipGrad)
            : new Dictionary<string, double>());
        timer.Measure("adamw_step", optimizer.Step);
        timer.Measure("ema", () => objective.UpdateEma(schedule.Momentum));
        return new StepResult(losses, norms, schedule, timer.Milliseconds);
    }

    /// <summary>The fused parameter groups of every student submodule, built per submodule as the official get_params_groups.</summary>
    public static IReadOnlyList<FusedParameterGroup> ParameterGroupsOf(SslModel student, double layerwiseDecay = 0.9, double patchEmbedLrMult = 0.2) =>
        student.Submodules.SelectMany(m => ParameterGroups.ForSubmodel(m.Module, layerwiseDecay, patchEmbedLrMult)).ToList();
}
