using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Model;

namespace EmbeddingService.Training.Runs.Spec;

/// <summary>Every rule a completed spec must meet; each problem names the JSON path, the allowed range and the value.</summary>
internal static class RunSpecValidator
{
    private const int MinSteps = 1, MaxSteps = 100_000_000;

    public static List<string> Problems(RunSpec spec)
    {
        var p = new ProblemList();
        if (spec.Kind is null) p.Add("kind", "is required: pretrain or distill");
        p.Range("seed", spec.Seed, 0, long.MaxValue);
        p.Range("batch_size", spec.BatchSize, 2, 65536);
        if (string.IsNullOrWhiteSpace(spec.Data.Train)) p.Add("data.train", "is required: an image folder or \"synthetic\"");

        var m = spec.Model;
        if (m.Arch is { } arch && !VitArchitectures.TryGet(arch, out _))
            p.Add("model.arch", $"must be one of {string.Join(", ", VitArchitectures.Names)} (got \"{arch}\")");
        p.Range("model.embed_dim", m.EmbedDim, 1, 16384, required: true);
        p.Range("model.depth", m.Depth, 1, 256, required: true);
        p.Range("model.num_heads", m.NumHeads, 1, 1024, required: true);
        if (m.EmbedDim is > 0 && m.NumHeads is > 0 && m.EmbedDim % m.NumHeads != 0)
            p.Add("model.num_heads", $"must divide model.embed_dim {m.EmbedDim} (got {m.NumHeads})");
        p.Range("model.patch_size", m.PatchSize, 1, 64);
        p.Range("model.num_registers", m.NumRegisters, 0, 64);
        if (m.Ffn is not ("mlp" or "swiglu")) p.Add("model.ffn", $"must be \"mlp\" or \"swiglu\" (got \"{m.Ffn}\")");
        p.Range("model.mlp_ratio", m.MlpRatio, 0.25, 16);
        p.Multiple("model.img_size", m.ImgSize, m.PatchSize, 4096);
        p.Range("model.layerscale_init", m.LayerscaleInit, 0, 1);
        p.Range("model.drop_path_rate", m.DropPathRate, 0, 0.9);
        if (spec.Kind == RunKind.Distill && m.DropPathRate > 0)
            p.Add("model.drop_path_rate", $"must be 0 for distillation, which uses no stochastic depth (got {m.DropPathRate})");
        p.Checkpoint("model.init", m.Init, allowRandom: true);

        var h = spec.Heads;
        p.Range("heads.prototypes", h.Prototypes, 1, 1 << 20);
        p.Range("heads.ibot_prototypes", h.IbotPrototypes, 1, 1 << 20);
        p.Range("heads.hidden_dim", h.HiddenDim, 1, 65536);
        p.Range("heads.bottleneck_dim", h.BottleneckDim, 1, 65536);
        p.Range("heads.layers", h.Layers, 1, 16);
        if (h.SeparateIbotHead == false && h.IbotPrototypes != h.Prototypes)
            p.Add("heads.ibot_prototypes", $"must equal heads.prototypes {h.Prototypes} when the iBOT head is shared (got {h.IbotPrototypes})");
        if (spec.Kind == RunKind.Distill && h.SeparateIbotHead == false)
            p.Add("heads.separate_ibot_head", "must be true for distillation, whose iBOT loss has its own head");

        var c = spec.Crops;
        p.Multiple("crops.global_size", c.GlobalSize, m.PatchSize, 4096);
        p.Multiple("crops.local_size", c.LocalSize, m.PatchSize, 4096);
        p.Range("crops.local_crops_number", c.LocalCropsNumber, 0, 64);
        // The official MaskingGenerator places blocks of at least 4 patches within max_num_patches = 0.5·grid²: below a
        // 4×4 grid no mask fits, and the centred iBOT targets would average over no patch (NaN).
        if (spec.Objective.IbotLossWeight > 0 && m.PatchSize is > 0 && c.GlobalSize < 4 * m.PatchSize)
            p.Add("crops.global_size", $"must be at least 4 × model.patch_size = {4 * m.PatchSize} for iBOT block masks, or set objective.ibot_loss_weight 0 (got {c.GlobalSize})");
        p.Scale("crops.global_crops_scale", c.GlobalCropsScale);
        p.Scale("crops.local_crops_scale", c.LocalCropsScale);

        var k = spec.Masking;
        p.Range("masking.sample_probability", k.SampleProbability, 0, 1);
        p.Range("masking.ratio_min", k.RatioMin, 0, 1);
        p.Range("masking.ratio_max", k.RatioMax, k.RatioMin, 1);

        var steps = spec.Optim.Steps;
        // Fields bounded by optim.steps are checked against a valid one only: a bad steps is one problem, not four.
        void WithinSteps(string path, int? value)
        {
            if (steps is >= MinSteps and <= MaxSteps) p.Range(path, value, 0, steps);
        }
        var o = spec.Objective;
        p.Range("objective.dino_loss_weight", o.DinoLossWeight, 0, 100);
        p.Range("objective.ibot_loss_weight", o.IbotLossWeight, 0, 100);
        p.Range("objective.koleo_loss_weight", o.KoleoLossWeight, 0, 100);
        if (o.Centering is not (ObjectiveSpec.MeanCentering or ObjectiveSpec.SinkhornKnopp))
            p.Add("objective.centering", $"must be \"{ObjectiveSpec.MeanCentering}\" or \"{ObjectiveSpec.SinkhornKnopp}\" (got \"{o.Centering}\")");
        p.Range("objective.student_temp", o.StudentTemp, 1e-4, 10);
        p.Range("objective.center_momentum", o.CenterMomentum, 0, 1);
        p.Range("objective.teacher_temp", o.TeacherTemp, 1e-4, 10);
        p.Range("objective.warmup_teacher_temp", o.WarmupTeacherTemp, 1e-4, 10);
        WithinSteps("objective.warmup_teacher_temp_steps", o.WarmupTeacherTempSteps);

        var op = spec.Optim;
        p.Range("optim.steps", op.Steps, MinSteps, MaxSteps);
        WithinSteps("optim.warmup_steps", op.WarmupSteps);
        p.Range("optim.base_lr", op.BaseLr, 0, 10);
        p.Range("optim.min_lr", op.MinLr, 0, 10);
        p.Range("optim.weight_decay", op.WeightDecay, 0, 10);
        p.Range("optim.weight_decay_end", op.WeightDecayEnd, 0, 10);
        p.Range("optim.momentum_teacher", op.MomentumTeacher, 0, 1);
        p.Range("optim.final_momentum_teacher", op.FinalMomentumTeacher, 0, 1);
        p.Range("optim.clip_grad", op.ClipGrad, 0, 1e6);
        WithinSteps("optim.freeze_last_layer_steps", op.FreezeLastLayerSteps);
        p.Range("optim.layerwise_decay", op.LayerwiseDecay, 1e-3, 1);
        p.Range("optim.patch_embed_lr_mult", op.PatchEmbedLrMult, 0, 10);
        p.Range("optim.adamw_beta1", op.AdamwBeta1, 0, 0.999999);
        p.Range("optim.adamw_beta2", op.AdamwBeta2, 0, 0.999999);

        p.Range("checkpoints.every_steps", spec.Checkpoints.EverySteps, 1, 100_000_000);
        p.Range("checkpoints.keep_last", spec.Checkpoints.KeepLast, 1, 1000);

        var e = spec.Evaluation;
        if ((e.Train is null) != (e.Val is null)) p.Add("evaluation", "needs both train and val folders, or neither");
        p.Range("evaluation.every_steps", e.EverySteps, 1, 100_000_000);
        Knn(e, p);
        p.Multiple("evaluation.resolution", e.Resolution, m.PatchSize, 2048);

        var x = spec.Execution;
        p.Device("execution.device", x.Device);
        p.Range("execution.threads", x.Threads, 1, 1024);
        p.Range("execution.data_workers", x.DataWorkers, 0, 256);
        p.Range("execution.prefetch_batches", x.PrefetchBatches, 1, 1024);
        p.Range("execution.max_minutes", x.MaxMinutes, 1e-9, 1e7);

        if (spec.Kind == RunKind.Distill)
        {
            if (spec.Distillation is not { } d) p.Add("distillation", "is required for distill: at least distillation.teacher");
            else
            {
                p.Checkpoint("distillation.teacher", d.Teacher, allowRandom: false);
                p.Range("distillation.teacher_num_heads", d.TeacherNumHeads, 1, 1024);
                p.Range("distillation.head_warmup_steps", d.HeadWarmupSteps, 0, 100_000_000);
            }
        }
        else if (spec.Distillation is not null) p.Add("distillation", "is only for kind distill");
        return p.List;
    }

    /// <summary>The rules of an eval-knn spec; the resolution is checked against the model's patch size when the model is loaded.</summary>
    public static List<string> Problems(KnnEvalSpec spec)
    {
        var p = new ProblemList();
        if (spec.Kind != KnnEvalSpec.KindName) p.Add("kind", $"must be {KnnEvalSpec.KindName} (got \"{spec.Kind}\")");
        if ((spec.Model is null) == (spec.Weights is null))
            p.Add("model", "name the model to evaluate: either model (a registered model id) or weights (a backbone checkpoint), not both");
        else if (spec.Model is not null && string.IsNullOrWhiteSpace(spec.Model)) p.Add("model", "must be a registered model id");
        else if (spec.Weights is not null) p.Checkpoint("weights", spec.Weights, allowRandom: false);
        p.Range("num_heads", spec.NumHeads, 1, 1024);
        var e = spec.Evaluation;
        if (string.IsNullOrWhiteSpace(e.Train)) p.Add("evaluation.train", "is required: a folder with one sub-folder of images per class");
        if (string.IsNullOrWhiteSpace(e.Val)) p.Add("evaluation.val", "is required: a folder with class sub-folders named as the train folder's");
        if (e.EverySteps is not null) p.Add("evaluation.every_steps", "is only for training runs");
        if (e.AtStart) p.Add("evaluation.at_start", "is only for training runs");
        Knn(e, p);
        p.Range("evaluation.resolution", e.Resolution, 1, 2048);
        p.Device("device", spec.Device);
        p.Range("threads", spec.Threads, 1, 1024);
        p.Range("data_workers", spec.DataWorkers, 0, 256);
        return p.List;
    }

    private static void Knn(EvaluationSpec e, ProblemList p)
    {
        if (e.K is null || e.K.Length == 0 || e.K.Any(v => v < 1)) p.Add("evaluation.k", "must be a non-empty list of integers >= 1");
        p.Range("evaluation.temperature", e.Temperature, 1e-4, 10);
    }

    private sealed class ProblemList
    {
        public List<string> List { get; } = [];

        public void Add(string path, string rule) => List.Add($"{path}: {rule}");

        public void Device(string path, string? device)
        {
            if (!ComputeTarget.IsDeviceName(device))
                Add(path, $"must be auto, cpu, cuda or cuda:N, not {(device is null ? "null" : $"'{device}'")}");
        }

        public void Range(string path, double? value, double min, double max, bool required = false)
        {
            if (value is null)
            {
                if (required) Add(path, $"is required (no model.arch gives it), in [{min}, {max}]");
                return;
            }
            if (!(value >= min && value <= max)) Add(path, $"must be in [{min}, {max}] (got {value})");
        }

        public void Multiple(string path, int? value, int? of, int max)
        {
            if (value is null || of is not > 0) return;
            if (value < of || value > max || value % of != 0)
                Add(path, $"must be a multiple of model.patch_size {of} in [{of}, {max}] (got {value})");
        }

        public void Scale(string path, double[]? scale)
        {
            if (scale is not [var low, var high] || !(low > 0 && low <= high && high <= 1))
                Add(path, $"must be [low, high] with 0 < low <= high <= 1 (got {(scale is null ? "null" : $"[{string.Join(", ", scale)}]")})");
        }

        public void Checkpoint(string path, string? value, bool allowRandom)
        {
            if (string.IsNullOrWhiteSpace(value)) Add(path, allowRandom ? "must be \"random\" or a checkpoint path" : "is required: a checkpoint path");
            else if (!(allowRandom && value == ModelSpec.RandomInit) && !File.Exists(value) && !Directory.Exists(value))
                Add(path, $"must be {(allowRandom ? "\"random\" or " : "")}an existing checkpoint file or Hugging Face folder (got \"{value}\")");
        }
    }
}
