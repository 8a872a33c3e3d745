using EmbeddingService.Training.Train;
using EmbeddingService.Training.Verification;
using static EmbeddingService.Training.Verification.ManifestReader;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Losses;

/// <summary>
/// Case <c>dino_loss</c>: the Sinkhorn-Knopp and centering targets of the (already swapped) teacher logits, the centre
/// after one update, and for each target variant the local and global DINO terms scaled as forward_backward scales them,
/// with the gradients of their weighted sum w.r.t. the student logits.
/// </summary>
public sealed class DinoLossCaseVerifier : ICaseVerifier
{
    private static readonly string[] Variants = ["sinkhorn", "centering"];

    public string Kind => "dino_loss";

    public void Verify(CaseFolder folder, CaseOutput output)
    {
        using var scope = NewDisposeScope();
        var p = At(folder.Manifest, "params");
        var teacherTemp = Double(p, "teacher_temp");
        var teacher = folder.ReadNpy("teacher_logits.npy");
        using var loss = new DinoLoss(teacher.shape[1], Double(p, "student_temp"), Double(p, "center_momentum"));

        var targets = new Dictionary<string, Tensor> { ["sinkhorn"] = loss.SinkhornKnoppTeacher(teacher, teacherTemp) };
        using (no_grad()) loss.Center.copy_(folder.ReadNpy("center_init.npy"));
        targets["centering"] = loss.SoftmaxCenterTeacher(teacher, teacherTemp);
        loss.UpdateCenter(teacher);
        loss.ApplyCenterUpdate();
        output.WriteNpy("center_new.npy", loss.Center);

        var options = new SslObjectiveOptions { DinoLossWeight = Double(p, "dino_loss_weight") };
        var losses = new Dictionary<string, object>();
        foreach (var variant in Variants)
        {
            output.WriteNpy($"teacher_probs_{variant}.npy", targets[variant]);
            var studentGlobal = folder.ReadNpy("student_global_logits.npy").requires_grad_();
            var studentLocal = folder.ReadNpy("student_local_logits.npy").requires_grad_();
            var terms = new LossAccumulator(teacher.device);
            CrossCropDinoTerms.Add(terms, loss, koleoLoss: null, options, studentLocal, studentGlobal, globalCls: studentGlobal,
                targets[variant].view(CrossCropDinoTerms.GlobalCrops, -1, targets[variant].shape[1]), Int(p, "n_local_crops"));
            var result = terms.Backward();
            losses[variant] = new Dictionary<string, double>(result.LossDict) { ["total"] = result.TotalBackpropagated };
            output.WriteNpy($"grad_student_global_logits_{variant}.npy", studentGlobal.grad!);
            output.WriteNpy($"grad_student_local_logits_{variant}.npy", studentLocal.grad!);
        }
        output.WriteJson("result.json", new { losses });
    }
}
