using EmbeddingService.Engine.Model;
using EmbeddingService.Training.Losses;
using EmbeddingService.Training.Masking;
using EmbeddingService.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>
/// The official DINOv2 self-supervised objective (ssl_meta_arch.py <c>forward_backward</c>): the teacher's global crops
/// give DINO targets for the student's cls tokens (crops swapped) and iBOT targets for its masked patch tokens; the
/// student sees global (masked) and local crops in one packed forward; KoLeo spreads its global cls tokens.
/// </summary>
public sealed class SslMetaArch : ITrainingObjective, IDisposable
{
    private const int GlobalCrops = CrossCropDinoTerms.GlobalCrops;
    private readonly DinoLoss _dinoLoss;
    private readonly IbotPatchLoss? _ibotLoss;
    private readonly KoLeoLoss? _koleoLoss;
    private readonly TeacherCompute _teacher;

    public SslMetaArch(SslModel student, SslModel teacher, SslObjectiveOptions options, SslComputeOptions? compute = null)
    {
        Compute = compute ?? new SslComputeOptions();
        Student = student;
        Teacher = teacher;
        Options = options;
        _dinoLoss = new DinoLoss(student.DinoHeadConfig.Prototypes, options.StudentTemp, options.CenterMomentum);
        _dinoLoss.to(student.Device);
        if (options.IbotLossWeight > 0)
        {
            _ibotLoss = new IbotPatchLoss(student.IbotHeadConfig.Prototypes, options.StudentTemp, options.CenterMomentum);
            _ibotLoss.to(student.Device);
        }
        if (options.KoleoLossWeight > 0) _koleoLoss = new KoLeoLoss();
        teacher.Freeze();
        _teacher = new TeacherCompute(teacher, Compute.TeacherDtype);
    }

    public SslModel Student { get; }

    public SslModel Teacher { get; }

    public SslObjectiveOptions Options { get; }

    public SslComputeOptions Compute { get; }

    /// <summary>Computes every loss term for the batch and back-propagates their sum into the student's gradients.</summary>
    public SslLosses ForwardBackward(CollatedBatch batch, double teacherTemp, PhaseTimer? timer = null)
    {
        using var scope = NewDisposeScope();
        timer ??= new PhaseTimer();
        var (dinoTargets, ibotTargets) = timer.Measure("teacher", () => TeacherTargets(batch.CollatedGlobalCrops, batch.Masks, teacherTemp));
        var losses = timer.Measure("student_forward_losses", () => StudentLosses(batch, dinoTargets, ibotTargets));
        return timer.Measure("backward", losses.Backward);
    }

    /// <summary>
    /// The student's forward and loss terms. Intermediates are released before the backward (as Python's reference
    /// counting would): only what autograd saved stays alive, which matters with 65536-prototype logits.
    /// </summary>
    private LossAccumulator StudentLosses(CollatedBatch batch, Tensor dinoTargets, Tensor? ibotTargets)
    {
        using var scope = NewDisposeScope();
        var masks = batch.Masks;
        var (global, localCls, localCropCount) = StudentCrops.Forward(
            Student.Backbone, batch.CollatedGlobalCrops, masks.CollatedMasks, batch.CollatedLocalCrops, Compute.PackStudentCrops);
        var globalCls = global.Cls;

        // The DINO head runs once on local cls, global cls and (when shared) the masked patch tokens, as the official
        // block-diagonal concatenation does; the head is row-wise, so this equals separate calls.
        var maskedPatches = ibotTargets is null ? null : MaskedPatches(global.Patches, masks);
        var headInputs = new List<Tensor> { localCls, globalCls };
        if (maskedPatches is not null && !Student.HasSeparateIbotHead) headInputs.Add(maskedPatches);
        var headOutputs = Student.DinoHead.call(cat(headInputs, 0));
        var localAfterHead = headOutputs.narrow(0, 0, localCls.shape[0]);
        var globalAfterHead = headOutputs.narrow(0, localCls.shape[0], globalCls.shape[0]);

        var losses = new LossAccumulator(globalCls.device);
        CrossCropDinoTerms.Add(losses, _dinoLoss, _koleoLoss, Options, localAfterHead, globalAfterHead, globalCls, dinoTargets, localCropCount);
        if (maskedPatches is not null)
        {
            var maskedAfterHead = Student.HasSeparateIbotHead
                ? Student.IbotHead.call(maskedPatches)
                : headOutputs.narrow(0, localCls.shape[0] + globalCls.shape[0], maskedPatches.shape[0]);
            var ibot = _ibotLoss!.ForwardMasked(maskedAfterHead, ibotTargets!, masks.CollatedMasks, maskedPatches.shape[0], masks.MasksWeight)
                .Times(CrossCropDinoTerms.LossScales / GlobalCrops);
            losses.Add("ibot_loss", ibot, Options.IbotLossWeight, displayDivisor: 2);
        }
        losses.Total.MoveToOuterDisposeScope();
        return losses;
    }

    /// <summary>EMA of the teacher towards the (updated) student: t = m·t + (1 − m)·s, parameter by parameter.</summary>
    public void UpdateEma(double momentum)
    {
        TeacherEma.Update(Teacher.named_parameters(), Student.named_parameters(), momentum);
        _teacher.Refresh();
    }

    /// <summary>
    /// The teacher's targets: DINO [2, B, K] from its cls tokens with the crops swapped (student crop 0 learns from teacher
    /// crop 1), iBOT [n_masked, K] from its unmasked patch tokens at the student's masked positions.
    /// </summary>
    private (Tensor Dino, Tensor? Ibot) TeacherTargets(Tensor globalCrops, MaskBatch masks, double teacherTemp)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var teacher = _teacher.Model;
        using var output = teacher.Backbone.ForwardFeatures(_teacher.Input(globalCrops));
        var chunks = output.Cls.chunk(GlobalCrops);
        var cls = cat([chunks[1], chunks[0]], 0);
        var clsCount = cls.shape[0];
        var maskedPatches = masks.MaskIndicesList.shape[0];

        Tensor clsAfterHead;
        Tensor? maskedAfterHead = null;
        if (_ibotLoss is null)
            clsAfterHead = teacher.DinoHead.call(cls);
        else if (!teacher.HasSeparateIbotHead)
        {
            var shared = teacher.DinoHead.call(cat([cls, MaskedPatches(output.Patches, masks)], 0));
            clsAfterHead = shared.narrow(0, 0, clsCount);
            maskedAfterHead = shared.narrow(0, clsCount, maskedPatches);
        }
        else
        {
            clsAfterHead = teacher.DinoHead.call(cls);
            maskedAfterHead = teacher.IbotHead.call(MaskedPatches(output.Patches, masks));
        }
        clsAfterHead = TeacherCompute.Output(clsAfterHead);
        if (maskedAfterHead is not null) maskedAfterHead = TeacherCompute.Output(maskedAfterHead);

        Tensor dino;
        Tensor? ibot = null;
        if (Options.Centering == TeacherCentering.Centering)
        {
            dino = _dinoLoss.SoftmaxCenterTeacher(clsAfterHead, teacherTemp);
            _dinoLoss.UpdateCenter(clsAfterHead);
            if (maskedAfterHead is not null)
            {
                using var batched = maskedAfterHead.unsqueeze(0);
                ibot = _ibotLoss!.SoftmaxCenterTeacher(batched, teacherTemp).squeeze(0);
                _ibotLoss.UpdateCenter(batched);
            }
        }
        else
        {
            dino = _dinoLoss.SinkhornKnoppTeacher(clsAfterHead, teacherTemp);
            if (maskedAfterHead is not null)
                ibot = _ibotLoss!.SinkhornKnoppTeacher(maskedAfterHead, teacherTemp, masks.NMaskedPatches);
        }
        return (dino.view(GlobalCrops, -1, dino.shape[1]).MoveToOuterDisposeScope(), ibot?.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// [n_masked, D]: the patch tokens at mask_indices_list. The official code copies them into a zero buffer of the
    /// collate's upper bound (static shapes for FSDP) and slices the head's output back; the head is row-wise, so
    /// running it on the masked rows alone gives the same values for less work and memory.
    /// </summary>
    private static Tensor MaskedPatches(Tensor patchTokens, MaskBatch masks) =>
        patchTokens.flatten(0, 1).index_select(0, masks.MaskIndicesList);

    public IReadOnlyDictionary<string, Tensor> LossBuffers()
    {
        _dinoLoss.ApplyCenterUpdate();
        var buffers = new Dictionary<string, Tensor> { ["dino_loss.center"] = _dinoLoss.Center };
        if (_ibotLoss is null) return buffers;
        _ibotLoss.ApplyCenterUpdate();
        buffers["ibot_patch_loss.center"] = _ibotLoss.Center;
        return buffers;
    }

    public void Dispose()
    {
        _dinoLoss.Dispose();
        _ibotLoss?.Dispose();
        _koleoLoss?.Dispose();
        _teacher.Dispose();
    }
}
