using EmbeddingService.Training;
using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.Model;
using EmbeddingService.Training.Optimization;
using EmbeddingService.Training.Runs.Spec;
using EmbeddingService.Training.Train;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Runs;

/// <summary>
/// Builds the stages of a run from its spec, with fresh weights seeded from (seed, first iteration of the stage), every
/// model on the run's device before its optimiser is made (whose moments follow the parameters).
/// </summary>
internal static class RunStages
{
    /// <summary>The student's architecture from the completed spec.</summary>
    public static VitConfig StudentConfig(RunSpec spec)
    {
        var m = spec.Model;
        var named = m.Arch is { } arch ? VitArchitectures.Get(arch) : null;
        var config = (named ?? new VitConfig { EmbedDim = m.EmbedDim!.Value, Depth = m.Depth!.Value, NumHeads = m.NumHeads!.Value }) with
        {
            EmbedDim = m.EmbedDim!.Value,
            Depth = m.Depth!.Value,
            NumHeads = m.NumHeads!.Value,
            PatchSize = m.PatchSize!.Value,
            NumRegisters = m.NumRegisters!.Value,
            Ffn = m.Ffn == "swiglu" ? FfnKind.SwiGlu : FfnKind.Mlp,
            MlpRatio = m.MlpRatio!.Value,
            ImgSize = m.ImgSize!.Value,
            LayerScaleInit = m.LayerscaleInit,
        };
        if (named is null && m.NumRegisters > 0) config = config with { InterpolateOffset = 0, InterpolateAntialias = true };
        config.Validate();
        return config;
    }

    public static HeadConfig DinoHead(RunSpec spec) => new(spec.Heads.Prototypes, spec.Heads.HiddenDim, spec.Heads.BottleneckDim, spec.Heads.Layers);

    public static HeadConfig? IbotHead(RunSpec spec) =>
        spec.Heads.SeparateIbotHead == true ? DinoHead(spec) with { Prototypes = spec.Heads.IbotPrototypes!.Value } : null;

    public static RunStage Pretrain(RunSpec spec, Device device)
    {
        var student = NewStudent(spec, StudentConfig(spec), DinoHead(spec), IbotHead(spec), firstIteration: 0).On(device);
        var teacher = CopyOf(student);
        var generator = ConfigureDropPath(spec, student);
        var objective = new SslMetaArch(student, teacher, ObjectiveOptions(spec));
        var optimizer = NewOptimizer(spec, student);
        return new RunStage(RunStage.PretrainName, 0, spec.Optim.Steps, objective, optimizer, spec.Optim.ClipGrad, Schedules(spec, spec.Optim.Steps),
            new Dictionary<string, SslModel> { ["student"] = student, ["teacher"] = teacher }, "teacher", generator,
            Owned(generator, student, teacher, objective, optimizer));
    }

    /// <summary>
    /// Trains DINO and iBOT heads (separate, the spec's shape) on the frozen backbone of a teacher without heads, with the
    /// pretraining objective; its "teacher" (the EMA) becomes the distillation teacher.
    /// </summary>
    public static RunStage HeadWarmup(RunSpec spec, LoadedTeacher source, int steps, Device device)
    {
        var dinoHead = DinoHead(spec);
        var student = NewHeads(spec, source.Config, dinoHead, dinoHead with { Prototypes = spec.Heads.IbotPrototypes!.Value }, firstIteration: 0);
        using (no_grad()) student.Backbone.load_state_dict(source.Backbone, strict: true);
        student.On(device);
        foreach (var parameter in student.Backbone.parameters()) parameter.requires_grad = false;
        var teacher = CopyOf(student);
        var objective = new SslMetaArch(student, teacher, ObjectiveOptions(spec));
        var optimizer = NewOptimizer(spec, student);
        return new RunStage(RunStage.HeadWarmupName, 0, steps, objective, optimizer, spec.Optim.ClipGrad, Schedules(spec, steps),
            new Dictionary<string, SslModel> { ["student"] = student, ["teacher"] = teacher }, null, null,
            Owned(student, teacher, objective, optimizer));
    }

    /// <summary>Distils the frozen <paramref name="teacher"/> (which the stage then owns) into the spec's student, from iteration <paramref name="begin"/>.</summary>
    public static RunStage Distill(RunSpec spec, SslModel teacher, long begin, Device device)
    {
        if (teacher.DinoHeadConfig.Prototypes != spec.Heads.Prototypes || teacher.IbotHeadConfig.Prototypes != spec.Heads.IbotPrototypes)
            throw new RunSpecException([$"heads.prototypes / heads.ibot_prototypes: the teacher's heads have {teacher.DinoHeadConfig.Prototypes} / {teacher.IbotHeadConfig.Prototypes} prototypes, the spec {spec.Heads.Prototypes} / {spec.Heads.IbotPrototypes}"]);
        var dinoHead = DinoHead(spec);
        var student = NewStudent(spec, StudentConfig(spec), dinoHead, dinoHead with { Prototypes = spec.Heads.IbotPrototypes!.Value }, begin).On(device);
        var studentEma = CopyOf(student);
        teacher.On(device).Freeze();
        var objective = new DistillationMetaArch(student, teacher, studentEma, ObjectiveOptions(spec) with { Centering = TeacherCentering.SinkhornKnopp });
        var optimizer = NewOptimizer(spec, student);
        return new RunStage(RunStage.DistillName, begin, begin + spec.Optim.Steps, objective, optimizer, spec.Optim.ClipGrad, Schedules(spec, spec.Optim.Steps),
            new Dictionary<string, SslModel> { ["student"] = student, ["student_ema"] = studentEma, ["teacher"] = teacher }, "student_ema", null,
            Owned(student, studentEma, teacher, objective, optimizer));
    }

    /// <summary>The official schedules over a stage of <paramref name="steps"/> iterations, the spec's step counts scaled to it.</summary>
    public static ScheduleConfig Schedules(RunSpec spec, int steps)
    {
        var o = spec.Optim;
        int Scaled(int value) => o.Steps == steps ? value : (int)Math.Round((double)value * steps / o.Steps);
        return new ScheduleConfig
        {
            Epochs = steps,
            OfficialEpochLength = 1,
            BaseLr = o.BaseLr,
            TotalBatchSize = spec.BatchSize,
            MinLr = o.MinLr,
            WarmupEpochs = Scaled(o.WarmupSteps!.Value),
            WeightDecay = o.WeightDecay,
            WeightDecayEnd = o.WeightDecayEnd,
            MomentumTeacher = o.MomentumTeacher,
            FinalMomentumTeacher = o.FinalMomentumTeacher,
            TeacherTemp = spec.Objective.TeacherTemp,
            WarmupTeacherTemp = spec.Objective.WarmupTeacherTemp,
            WarmupTeacherTempEpochs = Scaled(spec.Objective.WarmupTeacherTempSteps!.Value),
            FreezeLastLayerEpochs = Scaled(o.FreezeLastLayerSteps!.Value),
        };
    }

    private static SslObjectiveOptions ObjectiveOptions(RunSpec spec) => new()
    {
        DinoLossWeight = spec.Objective.DinoLossWeight,
        IbotLossWeight = spec.Objective.IbotLossWeight,
        KoleoLossWeight = spec.Objective.KoleoLossWeight,
        StudentTemp = spec.Objective.StudentTemp,
        CenterMomentum = spec.Objective.CenterMomentum,
        Centering = spec.Objective.Centering == ObjectiveSpec.SinkhornKnopp ? TeacherCentering.SinkhornKnopp : TeacherCentering.Centering,
    };

    /// <summary>A student of the spec: backbone from model.init (random, seeded) and fresh heads.</summary>
    private static SslModel NewStudent(RunSpec spec, VitConfig config, HeadConfig dinoHead, HeadConfig? ibotHead, long firstIteration)
    {
        var student = NewHeads(spec, config, dinoHead, ibotHead, firstIteration);
        if (spec.Model.Init == ModelSpec.RandomInit)
            RandomInitializer.Initialize(student.Backbone, DerivedSeeds.DeriveLong(spec.Seed, firstIteration, DerivedSeeds.Initialization));
        else
        {
            using var checkpoint = CheckpointLoader.Load(spec.Model.Init, new CheckpointLoadOptions { NumHeads = config.NumHeads });
            if (!checkpoint.Config.Equals(config with { LayerScaleInit = checkpoint.Config.LayerScaleInit }))
                throw new RunSpecException([$"model.init: '{spec.Model.Init}' holds {checkpoint.Config}, but the spec's model is {config}"]);
            using (no_grad()) student.Backbone.load_state_dict(checkpoint.State, strict: true);
        }
        return student;
    }

    /// <summary>
    /// A model whose heads are seeded from (seed, first iteration) by a generator of their own: the global one is shared
    /// with every thread of the process (another job, a test), so seeding it would not make the heads reproducible.
    /// </summary>
    private static SslModel NewHeads(RunSpec spec, VitConfig config, HeadConfig dinoHead, HeadConfig? ibotHead, long firstIteration)
    {
        using var generator = new Generator((ulong)DerivedSeeds.DeriveLong(spec.Seed, firstIteration, DerivedSeeds.Initialization));
        return new SslModel(config, dinoHead, ibotHead, generator);
    }

    /// <summary>A copy of the model's weights, on its device.</summary>
    private static SslModel CopyOf(SslModel model)
    {
        var copy = model.EmptyCopy().On(model.Device);
        using (no_grad()) copy.load_state_dict(model.state_dict(), strict: true);
        return copy;
    }

    private static Generator? ConfigureDropPath(RunSpec spec, SslModel student)
    {
        if (spec.Model.DropPathRate is not > 0) return null;
        var generator = new Generator(0);
        student.Backbone.ConfigureStochasticDepth(
            new StochasticDepth(spec.Model.DropPathRate.Value, spec.Model.DropPathUniform, StochasticDepthMode.BatchSubset),
            new RandomStochasticDepthSampler(generator));
        return generator;
    }

    private static ScheduledAdamW NewOptimizer(RunSpec spec, SslModel student) =>
        new(TrainingStep.ParameterGroupsOf(student, spec.Optim.LayerwiseDecay, spec.Optim.PatchEmbedLrMult), spec.Optim.AdamwBeta1, spec.Optim.AdamwBeta2);

    private static IEnumerable<IDisposable> Owned(params IDisposable?[] owned) => owned.OfType<IDisposable>();
}
