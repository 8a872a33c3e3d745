using EmbeddingService.Training.Losses;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Losses;

public sealed class IbotPatchLossTests
{
    private const string Case = "dinov2-train-parity/ibot_loss";
    private const int K = 48;
    private const double TeacherTemp = 0.05;

    [Fact]
    public void Sinkhorn_knopp_targets_use_the_masked_count_and_match()
    {
        using var scope = NewDisposeScope();
        using var loss = new IbotPatchLoss(K);
        var probs = loss.SinkhornKnoppTeacher(
            TrainFixtures.Npy(Case, "teacher_masked_logits.npy"), TeacherTemp, TrainFixtures.Npy(Case, "n_masked_patches.npy"));
        Tolerance.Within(TrainFixtures.Npy(Case, "teacher_probs_sinkhorn.npy"), probs, 1e-6, "sinkhorn probs");
    }

    [Fact]
    public void Centering_targets_and_center_update_match()
    {
        using var scope = NewDisposeScope();
        using var loss = new IbotPatchLoss(K);
        using (no_grad()) loss.Center.copy_(TrainFixtures.Npy(Case, "center_init.npy"));
        // ssl_meta_arch gives the masked rows a leading batch dimension of 1.
        var teacher = TrainFixtures.Npy(Case, "teacher_masked_logits.npy").unsqueeze(0);

        var probs = loss.SoftmaxCenterTeacher(teacher, TeacherTemp).squeeze(0);
        Tolerance.Within(TrainFixtures.Npy(Case, "teacher_probs_centering.npy"), probs, 1e-6, "centering probs");

        loss.UpdateCenter(teacher);
        loss.ApplyCenterUpdate();
        Tolerance.Within(TrainFixtures.Npy(Case, "center_new.npy"), loss.Center, 1e-6, "center after apply");
    }

    [Theory]
    [InlineData("sinkhorn")]
    [InlineData("centering")]
    public void Forward_masked_divides_by_all_crops_and_matches(string variant)
    {
        using var scope = NewDisposeScope();
        using var loss = new IbotPatchLoss(K);
        var student = TrainFixtures.Npy(Case, "student_masked_logits.npy").requires_grad_();
        var masks = TrainFixtures.Npy(Case, "masks.npy");
        var nMasked = TrainFixtures.Npy(Case, "mask_indices_list.npy").shape[0];

        var value = loss.ForwardMasked(student, TrainFixtures.Npy(Case, $"teacher_probs_{variant}.npy"), masks,
            nMasked, TrainFixtures.Npy(Case, "masks_weight.npy"));
        // In training it is scaled by loss_scales (2) and ibot_loss_scale (1/2).
        var inTotal = value.mul(2.0).mul(0.5);

        var expected = TrainFixtures.Manifest(Case).GetProperty("losses").GetProperty(variant);
        Tolerance.Relative(expected.GetProperty("forward_masked").GetDouble(), value.item<float>(), 1e-5, "forward_masked");
        Tolerance.Relative(expected.GetProperty("ibot_loss_in_total").GetDouble(), inTotal.item<float>(), 1e-5, "in total");
        inTotal.backward();
        Tolerance.Within(TrainFixtures.Npy(Case, $"grad_student_masked_logits_{variant}.npy"), student.grad!, 1e-6, "grad");
    }

    [Fact]
    public void Default_masks_weight_is_the_collated_one()
    {
        using var scope = NewDisposeScope();
        using var loss = new IbotPatchLoss(K);
        var student = TrainFixtures.Npy(Case, "student_masked_logits.npy");
        var teacher = TrainFixtures.Npy(Case, "teacher_probs_sinkhorn.npy");
        var masks = TrainFixtures.Npy(Case, "masks.npy");
        var given = loss.ForwardMasked(student, teacher, masks, masksWeight: TrainFixtures.Npy(Case, "masks_weight.npy"));
        var derived = loss.ForwardMasked(student, teacher, masks);
        Tolerance.Within(given, derived, 1e-6, "loss with derived weights");
    }

    [Fact]
    public void Whole_patch_forward_with_all_patches_masked_is_the_mean_over_patches_and_crops()
    {
        using var scope = NewDisposeScope();
        using var loss = new IbotPatchLoss(K);
        var generator = new TorchSharp.torch.Generator(7);
        var student = randn([3, 5, K], generator: generator);
        var teacher = randn([3, 5, K], generator: generator).softmax(-1);
        var masks = ones([3, 5], ScalarType.Bool);
        var whole = loss.Forward(student, teacher, masks);
        var masked = loss.ForwardMasked(student.view(15, K), teacher.view(15, K), masks);
        Tolerance.Within(masked, whole, 1e-6, "whole-patch loss");
    }
}
