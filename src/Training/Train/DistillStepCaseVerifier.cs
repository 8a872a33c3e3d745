using EmbeddingService.Training.Masking;
using EmbeddingService.Training.Optimization;
using EmbeddingService.Training.Verification;
using static EmbeddingService.Training.Verification.ManifestReader;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>
/// Case <c>distill_step</c>: one distillation iteration (frozen teacher with heads, student, student EMA); writes the
/// teacher's targets, the gradients before clipping, the student after AdamW, its EMA, and the loss dict.
/// </summary>
public sealed class DistillStepCaseVerifier : ICaseVerifier
{
    public string Kind => "distill_step";

    public void Verify(CaseFolder folder, CaseOutput output)
    {
        using var scope = NewDisposeScope();
        var p = At(folder.Manifest, "params");
        var head = (int prototypes) => new HeadConfig(prototypes, Int(p, "head_hidden"), Int(p, "head_bottleneck"));
        var (dinoHead, ibotHead) = (head(Int(p, "K_dino")), head(Int(p, "K_ibot")));
        using var teacher = new SslModel(Vit(At(p, "teacher")), dinoHead, ibotHead);
        using var student = new SslModel(Vit(At(p, "student")), dinoHead, ibotHead);
        using var studentEma = new SslModel(Vit(At(p, "student")), dinoHead, ibotHead);
        StepCaseParts.Load(teacher, StepCaseParts.Weights(folder, "teacher_weights"));
        var studentWeights = StepCaseParts.Weights(folder, "student_weights_init");
        StepCaseParts.Load(student, studentWeights);
        StepCaseParts.Load(studentEma, studentWeights);

        var options = new SslObjectiveOptions
        {
            KoleoLossWeight = Double(p, "koleo_loss_weight"),
            Centering = StepCaseParts.Centering(String(p, "centering")),
        };
        using var arch = new DistillationMetaArch(student, teacher, studentEma, options);
        using var optimizer = new ScheduledAdamW(TrainingStep.ParameterGroupsOf(student));
        var globalCrops = folder.ReadNpy("global_crops.npy");
        var localCrops = folder.ReadNpy("local_crops.npy");
        var teacherTemp = Double(p, "teacher_temp");
        var (dinoTargets, ibotTargets) = arch.TeacherTargets(globalCrops, teacherTemp);
        output.WriteNpy("teacher_dino_targets.npy", dinoTargets);
        output.WriteNpy("teacher_ibot_targets.npy", ibotTargets);

        var noMasks = MaskBatch.FromMasks(zeros(globalCrops.shape[0], 0, dtype: ScalarType.Bool), 0);
        var batch = new CollatedBatch(globalCrops, localCrops, noMasks);
        var schedule = new StepSchedule(Double(p, "lr"), Double(p, "wd"), Double(p, "momentum"), teacherTemp, Double(p, "last_layer_lr"));
        Dictionary<string, Tensor>? grads = null;
        var result = new TrainingStep(arch, optimizer).Run(batch, schedule, () => grads = StepCaseParts.Gradients(student));
        output.WriteSafeTensors("grads.safetensors", grads!);
        output.WriteSafeTensors("student_after_step.safetensors", StepCaseParts.Parameters(student));
        output.WriteSafeTensors("student_ema_after.safetensors", StepCaseParts.Parameters(studentEma));
        output.WriteJson("result.json", StepCaseParts.Scalars(result));
    }
}
