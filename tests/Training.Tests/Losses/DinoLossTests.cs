using EmbeddingService.Training.Losses;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Losses;

public sealed class DinoLossTests
{
    private const string Case = "dinov2-train-parity/dino_loss";
    private const int B = 4, K = 64, NLocal = 4;
    private const double TeacherTemp = 0.05;

    [Fact]
    public void Sinkhorn_knopp_targets_match()
    {
        using var scope = NewDisposeScope();
        using var loss = new DinoLoss(K);
        var probs = loss.SinkhornKnoppTeacher(TrainFixtures.Npy(Case, "teacher_logits.npy"), TeacherTemp);
        Tolerance.Within(TrainFixtures.Npy(Case, "teacher_probs_sinkhorn.npy"), probs, 1e-6, "sinkhorn probs");
    }

    [Fact]
    public void Centering_targets_and_center_update_match()
    {
        using var scope = NewDisposeScope();
        using var loss = new DinoLoss(K);
        using (no_grad()) loss.Center.copy_(TrainFixtures.Npy(Case, "center_init.npy"));
        var teacher = TrainFixtures.Npy(Case, "teacher_logits.npy");

        var probs = loss.SoftmaxCenterTeacher(teacher, TeacherTemp);
        Tolerance.Within(TrainFixtures.Npy(Case, "teacher_probs_centering.npy"), probs, 1e-6, "centering probs");

        loss.UpdateCenter(teacher);
        Tolerance.Within(TrainFixtures.Npy(Case, "center_init.npy"), loss.Center, 0, "center before apply");
        loss.ApplyCenterUpdate();
        Tolerance.Within(TrainFixtures.Npy(Case, "center_new.npy"), loss.Center, 1e-6, "center after apply");
    }

    [Theory]
    [InlineData("sinkhorn")]
    [InlineData("centering")]
    public void Local_and_global_terms_scaled_as_in_training_match(string variant)
    {
        using var scope = NewDisposeScope();
        using var loss = new DinoLoss(K);
        var probs = TrainFixtures.Npy(Case, $"teacher_probs_{variant}.npy");
        var studentGlobal = TrainFixtures.Npy(Case, "student_global_logits.npy").requires_grad_();
        var studentLocal = TrainFixtures.Npy(Case, "student_local_logits.npy").requires_grad_();

        // ssl_meta_arch: 2·n_local local terms and (2 − 1)·2 global terms share one normaliser.
        const double terms = 2 * NLocal + 2;
        var local = loss.Forward(studentLocal.chunk(NLocal), probs.view(2, B, K).unbind(0)).div(terms);
        var global = loss.Forward([studentGlobal], [probs]).mul(2.0).div(terms);

        var expected = TrainFixtures.Manifest(Case).GetProperty("losses").GetProperty(variant);
        Tolerance.Relative(expected.GetProperty("dino_local_crops_loss").GetDouble(), local.item<float>(), 1e-5, "local");
        Tolerance.Relative(expected.GetProperty("dino_global_crops_loss").GetDouble(), global.item<float>(), 1e-5, "global");
        var total = local.add(global);
        Tolerance.Relative(expected.GetProperty("total").GetDouble(), total.item<float>(), 1e-5, "total");

        total.backward();
        Tolerance.Within(TrainFixtures.Npy(Case, $"grad_student_global_logits_{variant}.npy"), studentGlobal.grad!, 1e-6, "grad global");
        Tolerance.Within(TrainFixtures.Npy(Case, $"grad_student_local_logits_{variant}.npy"), studentLocal.grad!, 1e-6, "grad local");
    }
}
