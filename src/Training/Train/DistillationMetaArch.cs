using EmbeddingService.Engine.Model;
using EmbeddingService.Training.Losses;
using EmbeddingService.Training.Masking;
using EmbeddingService.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>
/// Distillation (DINOv2 paper §5; there is no official code): a frozen pretrained teacher with its own DINO and iBOT
/// heads trains a smaller student with the training loop's losses, minus masking and stochastic depth — DINO on global
/// and local crops with the SslMetaArch scaling (teacher cls chunks swapped), KoLeo on the student's global cls tokens,
/// iBOT on every patch token of both global crops (patch targets not swapped), Sinkhorn-Knopp targets. The result is
/// an EMA of the student, kept by <see cref="UpdateEma"/>.
/// </summary>
public sealed class DistillationMetaArch : ITrainingObjective, IDisposable
{
    private const int GlobalCrops = CrossCropDinoTerms.GlobalCrops;
    private readonly DinoLoss _dinoLoss;
    private readonly IbotPatchLoss _ibotLoss;
    private readonly KoLeoLoss? _koleoLoss;
    private readonly TeacherCompute _teacher;

    public DistillationMetaArch(SslModel student, SslModel teacher, SslModel studentEma, SslObjectiveOptions options, SslComputeOptions? compute = null)
    {
        Compute = compute ?? new SslComputeOptions();
        if (!teacher.HasSeparateIbotHead || !student.HasSeparateIbotHead)
            throw new ArgumentException("distillation needs a teacher and a student with separate DINO and iBOT heads");
        if (teacher.DinoHeadConfig.Prototypes != student.DinoHeadConfig.Prototypes || teacher.IbotHeadConfig.Prototypes != student.IbotHeadConfig.Prototypes)
            throw new ArgumentException(
                $"teacher and student heads must have the same prototypes (teacher {teacher.DinoHeadConfig.Prototypes}/{teacher.IbotHeadConfig.Prototypes}, student {student.DinoHeadConfig.Prototypes}/{student.IbotHeadConfig.Prototypes})");
        Student = student;
        Teacher = teacher;
        StudentEma = studentEma;
        Options = options;
        _dinoLoss = new DinoLoss(student.DinoHeadConfig.Prototypes, options.StudentTemp, options.CenterMomentum);
        _ibotLoss = new IbotPatchLoss(student.IbotHeadConfig.Prototypes, options.StudentTemp, options.CenterMomentum);
        _dinoLoss.to(student.Device);
        _ibotLoss.to(student.Device);
        if (options.KoleoLossWeight > 0) _koleoLoss = new KoLeoLoss();
        teacher.Freeze();
        studentEma.Freeze();
        _teacher = new TeacherCompute(teacher, Compute.TeacherDtype);
    }

    public SslModel Student { get; }

    public SslModel Teacher { get; }

    public SslModel StudentEma { get; }

    public SslObjectiveOptions Options { get; }

    public SslComputeOptions Compute { get; }

    /// <summary>The batch's masks are not used: distillation does not mask.</summary>
    public SslLosses ForwardBackward(CollatedBatch batch, double teacherTemp, PhaseTimer? timer = null)
    {
        using var scope = NewDisposeScope();
        timer ??= new PhaseTimer();
        var (dinoTargets, ibotTargets) = timer.Measure("teacher", () => TeacherTargets(batch.CollatedGlobalCrops, teacherTemp));
        var losses = timer.Measure("student_forward_losses", () => StudentLosses(batch, dinoTargets, ibotTargets));
        return timer.Measure("backward", losses.Backward);
    }

    /// <summary>The student's forward and loss terms; intermediates autograd did not save are released before the backward.</summary>
    private LossAccumulator StudentLosses(CollatedBatch batch, Tensor dinoTargets, Tensor ibotTargets)
    {
        using var scope = NewDisposeScope();
        var (global, localCls, localCropCount) = StudentCrops.Forward(
            Student.Backbone, batch.CollatedGlobalCrops, null, batch.CollatedLocalCrops, Compute.PackStudentCrops);
        var globalCls = global.Cls;
        var clsAfterHead = Student.DinoHead.call(cat([localCls, globalCls], 0));
        var localAfterHead = clsAfterHead.narrow(0, 0, localCls.shape[0]);
        var globalAfterHead = clsAfterHead.narrow(0, localCls.shape[0], globalCls.shape[0]);
        var patchesAfterHead = Student.IbotHead.call(global.Patches);

        var losses = new LossAccumulator(globalCls.device);
        CrossCropDinoTerms.Add(losses, _dinoLoss, _koleoLoss, Options, localAfterHead, globalAfterHead, globalCls, dinoTargets, localCropCount);
        // iBOT on every patch: all-True masks make forward the mean over patches and crops.
        var allPatches = ones(patchesAfterHead.shape[0], patchesAfterHead.shape[1], dtype: ScalarType.Bool, device: globalCls.device);
        var ibot = _ibotLoss.Forward(patchesAfterHead, ibotTargets, allPatches).Times(CrossCropDinoTerms.LossScales / GlobalCrops);
        losses.Add("ibot_loss", ibot, Options.IbotLossWeight, displayDivisor: 2);
        losses.Total.MoveToOuterDisposeScope();
        return losses;
    }

    /// <summary>ema = m·ema + (1 − m)·student: the distilled model.</summary>
    public void UpdateEma(double momentum) => TeacherEma.Update(StudentEma.named_parameters(), Student.named_parameters(), momentum);

    /// <summary>DINO targets [2, B, K] from the teacher's swapped cls tokens; iBOT targets [2B, N, K] from all its patch tokens.</summary>
    public (Tensor Dino, Tensor Ibot) TeacherTargets(Tensor globalCrops, double teacherTemp)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var teacher = _teacher.Model;
        using var output = teacher.Backbone.ForwardFeatures(_teacher.Input(globalCrops));
        var chunks = output.Cls.chunk(GlobalCrops);
        var clsAfterHead = TeacherCompute.Output(teacher.DinoHead.call(cat([chunks[1], chunks[0]], 0)));
        var dino = _dinoLoss.SinkhornKnoppTeacher(clsAfterHead, teacherTemp);
        var patchesAfterHead = TeacherCompute.Output(teacher.IbotHead.call(output.Patches));
        var (crops, patches, prototypes) = (patchesAfterHead.shape[0], patchesAfterHead.shape[1], patchesAfterHead.shape[2]);
        var allPatches = tensor(new long[] { crops * patches }, device: globalCrops.device);
        var ibot = _ibotLoss.SinkhornKnoppTeacher(patchesAfterHead.flatten(0, 1), teacherTemp, allPatches);
        return (dino.view(GlobalCrops, -1, dino.shape[1]).MoveToOuterDisposeScope(), ibot.view(crops, patches, prototypes).MoveToOuterDisposeScope());
    }

    public IReadOnlyDictionary<string, Tensor> LossBuffers()
    {
        _dinoLoss.ApplyCenterUpdate();
        var buffers = new Dictionary<string, Tensor> { ["dino_loss.center"] = _dinoLoss.Center };
        _ibotLoss.ApplyCenterUpdate();
        buffers["ibot_patch_loss.center"] = _ibotLoss.Center;
        return buffers;
    }

    public void Dispose()
    {
        _dinoLoss.Dispose();
        _ibotLoss.Dispose();
        _koleoLoss?.Dispose();
        _teacher.Dispose();
    }
}
