using EmbeddingService.Training.Losses;
using EmbeddingService.Training.Tests.Verification;

namespace EmbeddingService.Training.Tests.Losses;

public sealed class DinoLossCaseVerifierTests
{
    [Fact]
    public void Writes_targets_centre_losses_and_gradients_of_both_variants()
    {
        using var run = new CaseRun(new DinoLossCaseVerifier(), "dino_loss",
            "student_global_logits.npy", "student_local_logits.npy", "teacher_logits.npy", "center_init.npy");
        // probs, centre and gradients share atol 1e-6; losses rtol 1e-5.
        run.AllNpyWithin(1e-6);
        JsonAssert.Matches(run.Manifest.GetProperty("losses"), run.Result.GetProperty("losses"), 1e-5, "losses", "float64_reference");
    }
}
