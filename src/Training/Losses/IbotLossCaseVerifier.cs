using EmbeddingService.Engine.Model;
using EmbeddingService.Training.Train;
using EmbeddingService.Training.Verification;
using static EmbeddingService.Training.Verification.ManifestReader;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Losses;

/// <summary>
/// Case <c>ibot_loss</c>: the Sinkhorn-Knopp (B = the collated masked count) and centering targets of the teacher's
/// masked-patch logits, the centre after one update, and for each target variant forward_masked and its training-scaled
/// value, with the gradient of the latter w.r.t. the student's masked-patch logits.
/// </summary>
public sealed class IbotLossCaseVerifier : ICaseVerifier
{
    private static readonly string[] Variants = ["sinkhorn", "centering"];

    public string Kind => "ibot_loss";

    public void Verify(CaseFolder folder, CaseOutput output)
    {
        using var scope = NewDisposeScope();
        var p = At(folder.Manifest, "params");
        var teacherTemp = Double(p, "teacher_temp");
        var teacher = folder.ReadNpy("teacher_masked_logits.npy");
        using var loss = new IbotPatchLoss(teacher.shape[1], Double(p, "student_temp"), Double(p, "center_momentum"));

        var targets = new Dictionary<string, Tensor>
        {
            ["sinkhorn"] = loss.SinkhornKnoppTeacher(teacher, teacherTemp, folder.ReadNpy("n_masked_patches.npy")),
        };
        using (no_grad()) loss.Center.copy_(folder.ReadNpy("center_init.npy"));
        // As ssl_meta_arch: the masked rows get a leading batch dimension of 1 for the centering.
        var batched = teacher.unsqueeze(0);
        targets["centering"] = loss.SoftmaxCenterTeacher(batched, teacherTemp).squeeze(0);
        loss.UpdateCenter(batched);
        loss.ApplyCenterUpdate();
        output.WriteNpy("center_new.npy", loss.Center);

        var masks = folder.ReadNpy("masks.npy");
        var masksWeight = folder.ReadNpy("masks_weight.npy");
        var nMasked = folder.ReadNpy("mask_indices_list.npy").shape[0];
        // forward_backward's loss_scales (2) over the global crops (2) and the ibot weight.
        var scale = Double(p, "ibot_loss_weight") * CrossCropDinoTerms.LossScales / CrossCropDinoTerms.GlobalCrops;
        var losses = new Dictionary<string, object>();
        foreach (var variant in Variants)
        {
            output.WriteNpy($"teacher_probs_{variant}.npy", targets[variant]);
            var student = folder.ReadNpy("student_masked_logits.npy").requires_grad_();
            var forwardMasked = loss.ForwardMasked(student, targets[variant], masks, nMasked, masksWeight);
            var inTotal = forwardMasked.Times(scale);
            inTotal.backward();
            losses[variant] = new Dictionary<string, double>
            {
                ["forward_masked"] = forwardMasked.item<float>(),
                ["ibot_loss_in_total"] = inTotal.item<float>(),
            };
            output.WriteNpy($"grad_student_masked_logits_{variant}.npy", student.grad!);
        }
        output.WriteJson("result.json", new { losses });
    }
}
