using EmbeddingService.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Losses;

/// <summary>
/// The iBOT cross-entropy between teacher targets and student patch-token logits (dinov2 loss/ibot_patch_loss.py), on
/// whole patch grids (<see cref="Forward"/>) or on the masked patches gathered across crops (<see cref="ForwardMasked"/>).
/// </summary>
public sealed class IbotPatchLoss : nn.Module
{
#pragma warning disable IDE1006 // field names follow the official state dict
    private readonly Tensor center;
#pragma warning restore IDE1006
    private readonly Scalar studentTemp;
    private readonly PendingCenterUpdate pending;

    public IbotPatchLoss(long patchOutDim, double studentTemp = 0.1, double centerMomentum = 0.9) : base(nameof(IbotPatchLoss))
    {
        center = zeros(1, 1, patchOutDim);
        this.studentTemp = studentTemp.ToScalar();
        pending = new PendingCenterUpdate(centerMomentum);
        RegisterComponents();
    }

    /// <summary>The running centre [1, 1, K] (pending updates not yet applied).</summary>
    public Tensor Center => center;

    /// <summary>softmax((teacher − center) / temp) after applying any pending centre update; broadcasts against [1, 1, K].</summary>
    public Tensor SoftmaxCenterTeacher(Tensor teacherPatchTokens, double teacherTemp)
    {
        ApplyCenterUpdate();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var temp = teacherTemp.ToScalar();
        return teacherPatchTokens.sub(center).div_(temp).softmax(-1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Sinkhorn-Knopp targets for masked-patch logits [rows, K] where B is <paramref name="nMaskedPatchesTensor"/> (the
    /// real masked count), not the row count: the rows may be a padded buffer.
    /// </summary>
    public Tensor SinkhornKnoppTeacher(Tensor teacherOutput, double teacherTemp, Tensor nMaskedPatchesTensor, int nIterations = 3) =>
        SinkhornKnopp.Assign(teacherOutput, teacherTemp, nMaskedPatchesTensor, nIterations);

    /// <summary>
    /// Per image: −mean over its masked patches of Σ_k t · log_softmax(s / student_temp); then the mean over images.
    /// Tokens [B, N, K], masks [B, N] bool.
    /// </summary>
    public Tensor Forward(Tensor studentPatchTokens, Tensor teacherPatchTokens, Tensor studentMasksFlat)
    {
        using var scope = NewDisposeScope();
        var loss = LossFunc(teacherPatchTokens, studentPatchTokens);
        var masks = studentMasksFlat.to(loss.dtype);
        var perImage = loss.mul(masks).sum(-1).div(masks.sum(-1).ClampedBelow(1.0));
        return perImage.mean().neg().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// −Σ_j w_j Σ_k t_j · log_softmax(s_j / student_temp) over the first <paramref name="nMaskedPatches"/> rows, divided by the
    /// number of crops (masks.shape[0], crops without a mask included). w_j defaults to 1 / (masked count of j's crop).
    /// </summary>
    public Tensor ForwardMasked(Tensor studentPatchTokensMasked, Tensor teacherPatchTokensMasked, Tensor studentMasksFlat,
        long? nMaskedPatches = null, Tensor? masksWeight = null)
    {
        using var scope = NewDisposeScope();
        var loss = LossFunc(teacherPatchTokensMasked, studentPatchTokensMasked);
        var weight = masksWeight ?? studentMasksFlat.sum(-1).ClampedBelow(1.0).reciprocal()
            .unsqueeze(-1).expand_as(studentMasksFlat).masked_select(studentMasksFlat);
        if (nMaskedPatches is { } n) loss = loss.narrow(0, 0, n);
        using var crops = studentMasksFlat.shape[0].ToScalar();
        return loss.mul(weight).sum().neg().div(crops).MoveToOuterDisposeScope();
    }

    /// <summary>Records the mean over patches, summed over rows, of teacher tokens [B, N, K]; it reaches the centre at the next <see cref="ApplyCenterUpdate"/>.</summary>
    public void UpdateCenter(Tensor teacherPatchTokens)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        pending.Record(teacherPatchTokens.mean([1]).sum(0, keepdim: true).MoveToOuterDisposeScope(), teacherPatchTokens.shape[0]);
    }

    /// <summary>center ← center · momentum + batch mean · (1 − momentum), if a batch is pending.</summary>
    public void ApplyCenterUpdate() => pending.ApplyTo(center);

    /// <summary>
    /// Σ_k t · log_softmax(s / student_temp) per row, as a batched dot product: with 65536 prototypes the official
    /// t·log p product is one more [rows, K] tensor (160 MB at batch 8) alive at the step's memory peak.
    /// </summary>
    private Tensor LossFunc(Tensor t, Tensor s)
    {
        using var scaled = s.div(studentTemp);
        using var logProbabilities = scaled.log_softmax(-1);
        using var dot = t.unsqueeze(-2).matmul(logProbabilities.unsqueeze(-1));
        return dot.squeeze(-1).squeeze(-1);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            pending.Dispose();
            studentTemp.Dispose();
        }
        base.Dispose(disposing);
    }
}
