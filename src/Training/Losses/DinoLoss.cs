using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Losses;

/// <summary>
/// The DINO cross-entropy between teacher targets and student class-token logits (dinov2 loss/dino_clstoken_loss.py),
/// with the two ways of making the targets: Sinkhorn-Knopp, or softmax after subtracting a running centre (buffer <c>center</c>).
/// </summary>
public sealed class DinoLoss : nn.Module
{
#pragma warning disable IDE1006 // field names follow the official state dict
    private readonly Tensor center;
#pragma warning restore IDE1006
    private readonly Scalar studentTemp;
    private readonly PendingCenterUpdate pending;

    public DinoLoss(long outDim, double studentTemp = 0.1, double centerMomentum = 0.9) : base(nameof(DinoLoss))
    {
        center = zeros(1, outDim);
        this.studentTemp = studentTemp.ToScalar();
        pending = new PendingCenterUpdate(centerMomentum);
        RegisterComponents();
    }

    /// <summary>The running centre [1, K] (pending updates not yet applied).</summary>
    public Tensor Center => center;

    /// <summary>softmax((teacher − center) / temp) after applying any pending centre update.</summary>
    public Tensor SoftmaxCenterTeacher(Tensor teacherOutput, double teacherTemp)
    {
        ApplyCenterUpdate();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var temp = teacherTemp.ToScalar();
        return teacherOutput.sub(center).div_(temp).softmax(-1).MoveToOuterDisposeScope();
    }

    /// <summary>Sinkhorn-Knopp targets for teacher logits [B, K], B = the number of rows.</summary>
    public Tensor SinkhornKnoppTeacher(Tensor teacherOutput, double teacherTemp, int nIterations = 3)
    {
        using var samples = tensor(teacherOutput.shape[0], teacherOutput.dtype, teacherOutput.device);
        return SinkhornKnopp.Assign(teacherOutput, teacherTemp, samples, nIterations);
    }

    /// <summary>Σ over student and teacher lists of −mean_rows Σ_k t · log_softmax(s / student_temp).</summary>
    public Tensor Forward(IReadOnlyList<Tensor> studentOutputList, IReadOnlyList<Tensor> teacherOutList)
    {
        if (studentOutputList.Count == 0 || teacherOutList.Count == 0)
            throw new ArgumentException("the DINO loss needs at least one student and one teacher output");
        using var scope = NewDisposeScope();
        Tensor? total = null;
        foreach (var s in studentOutputList)
        {
            var lsm = s.div(studentTemp).log_softmax(-1);
            foreach (var t in teacherOutList)
            {
                var term = t.mul(lsm).sum(-1).mean();
                total = total is null ? term.neg() : total.sub(term);
            }
        }
        return total!.MoveToOuterDisposeScope();
    }

    /// <summary>Records the batch mean of teacher logits [B, K]; it reaches the centre at the next <see cref="ApplyCenterUpdate"/>.</summary>
    public void UpdateCenter(Tensor teacherOutput)
    {
        using var noGrad = no_grad();
        pending.Record(teacherOutput.sum(0, keepdim: true), teacherOutput.shape[0]);
    }

    /// <summary>center ← center · momentum + batch mean · (1 − momentum), if a batch is pending.</summary>
    public void ApplyCenterUpdate() => pending.ApplyTo(center);

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
