using EmbeddingService.Training.Masking;
using EmbeddingService.Training.Optimization;
using EmbeddingService.Training.Verification;
using static EmbeddingService.Training.Verification.ManifestReader;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>
/// Case <c>train_step</c>: one whole pretraining iteration from the case's weights, crops, masks and schedule state;
/// writes the gradients before clipping, the student after AdamW, the teacher after the EMA, and the loss dict.
/// </summary>
public sealed class TrainStepCaseVerifier : ICaseVerifier
{
    public string Kind => "train_step";

    public void Verify(CaseFolder folder, CaseOutput output)
    {
        using var scope = NewDisposeScope();
        var config = At(folder.Manifest, "config");
        var vit = Vit(At(config, "arch"), TryAt(config, "ffn_hidden")?.GetInt32());
        var dinoHead = StepCaseParts.Head(At(config, "dino_head"));
        HeadConfig? ibotHead = At(config, "ibot_separate_head").GetBoolean() ? StepCaseParts.Head(At(config, "ibot_head")) : null;
        using var student = new SslModel(vit, dinoHead, ibotHead);
        using var teacher = new SslModel(vit, dinoHead, ibotHead);
        var weights = StepCaseParts.Weights(folder, "weights_init");
        StepCaseParts.Load(student, weights);
        StepCaseParts.Load(teacher, weights);

        var options = new SslObjectiveOptions
        {
            DinoLossWeight = Double(config, "loss_weights", "dino"),
            IbotLossWeight = Double(config, "loss_weights", "ibot"),
            KoleoLossWeight = Double(config, "loss_weights", "koleo"),
            StudentTemp = Double(config, "student_temp"),
            CenterMomentum = Double(config, "center_momentum"),
            Centering = StepCaseParts.Centering(String(config, "centering")),
        };
        using var arch = new SslMetaArch(student, teacher, options);
        var optim = At(config, "optim");
        var betas = At(optim, "adamw_betas");
        using var optimizer = new ScheduledAdamW(
            TrainingStep.ParameterGroupsOf(student, Double(optim, "layerwise_decay"), Double(optim, "patch_embed_lr_mult")),
            betas[0].GetDouble(), betas[1].GetDouble(), Double(optim, "adamw_eps"));

        var masks = new MaskBatch(folder.ReadNpy("masks.npy"), folder.ReadNpy("mask_indices_list.npy"), folder.ReadNpy("masks_weight.npy"),
            folder.ReadNpy("n_masked_patches.npy"), Int(config, "collate", "upperbound"));
        var batch = new CollatedBatch(folder.ReadNpy("global_crops.npy"), folder.ReadNpy("local_crops.npy"), masks);
        var state = At(folder.Manifest, "schedule_state");
        var schedule = new StepSchedule(Double(state, "lr"), Double(state, "wd"), Double(state, "momentum"),
            Double(state, "teacher_temp"), Double(state, "last_layer_lr"));

        Dictionary<string, Tensor>? grads = null;
        var result = new TrainingStep(arch, optimizer, Double(optim, "clip_grad")).Run(batch, schedule, () => grads = StepCaseParts.Gradients(student));
        output.WriteSafeTensors("grads.safetensors", grads!);
        output.WriteSafeTensors("student_after_step.safetensors", StepCaseParts.Parameters(student));
        output.WriteSafeTensors("teacher_after_ema.safetensors", StepCaseParts.Parameters(teacher));
        output.WriteJson("result.json", StepCaseParts.Scalars(result));
    }
}
