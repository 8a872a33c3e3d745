using EmbeddingService.Training.Masking;
using EmbeddingService.Training.Optimization;
using EmbeddingService.Training.Verification;
using static EmbeddingService.Training.Verification.ManifestReader;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>The inputs of a train_step case as the project's objects: models with the case's weights, the batch, the schedule.</summary>
public sealed class TrainStepCase : IDisposable
{
    public TrainStepCase(CaseFolder folder)
    {
        var config = At(folder.Manifest, "config");
        var vit = Vit(At(config, "arch"), TryAt(config, "ffn_hidden")?.GetInt32());
        var dinoHead = StepCaseParts.Head(At(config, "dino_head"));
        HeadConfig? ibotHead = At(config, "ibot_separate_head").GetBoolean() ? StepCaseParts.Head(At(config, "ibot_head")) : null;
        Student = new SslModel(vit, dinoHead, ibotHead);
        Teacher = new SslModel(vit, dinoHead, ibotHead);
        var weights = StepCaseParts.Weights(folder, "weights_init");
        StepCaseParts.Load(Student, weights);
        StepCaseParts.Load(Teacher, weights);
        StepCaseParts.DisposeAll(weights);

        Options = new SslObjectiveOptions
        {
            DinoLossWeight = Double(config, "loss_weights", "dino"),
            IbotLossWeight = Double(config, "loss_weights", "ibot"),
            KoleoLossWeight = Double(config, "loss_weights", "koleo"),
            StudentTemp = Double(config, "student_temp"),
            CenterMomentum = Double(config, "center_momentum"),
            Centering = StepCaseParts.Centering(String(config, "centering")),
        };
        var optim = At(config, "optim");
        var betas = At(optim, "adamw_betas");
        (LayerwiseDecay, PatchEmbedLrMult, Beta1, Beta2, Eps, ClipGrad) = (Double(optim, "layerwise_decay"), Double(optim, "patch_embed_lr_mult"),
            betas[0].GetDouble(), betas[1].GetDouble(), Double(optim, "adamw_eps"), Double(optim, "clip_grad"));

        var masks = new MaskBatch(folder.ReadNpy("masks.npy"), folder.ReadNpy("mask_indices_list.npy"), folder.ReadNpy("masks_weight.npy"),
            folder.ReadNpy("n_masked_patches.npy"), Int(config, "collate", "upperbound"));
        Batch = new CollatedBatch(folder.ReadNpy("global_crops.npy"), folder.ReadNpy("local_crops.npy"), masks);
        var state = At(folder.Manifest, "schedule_state");
        Schedule = new StepSchedule(Double(state, "lr"), Double(state, "wd"), Double(state, "momentum"),
            Double(state, "teacher_temp"), Double(state, "last_layer_lr"));
    }

    public SslModel Student { get; }
    public SslModel Teacher { get; }
    public SslObjectiveOptions Options { get; }
    public CollatedBatch Batch { get; }
    public StepSchedule Schedule { get; }
    public double LayerwiseDecay { get; }
    public double PatchEmbedLrMult { get; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double ClipGrad { get; }

    public ScheduledAdamW NewOptimizer() =>
        new(TrainingStep.ParameterGroupsOf(Student, LayerwiseDecay, PatchEmbedLrMult), Beta1, Beta2, Eps);

    public void Dispose()
    {
        Student.Dispose();
        Teacher.Dispose();
        Batch.Dispose();
    }
}
